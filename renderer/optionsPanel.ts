// The scenario and options panel: the built-in scenario list, mode, data connection, TYPE, file, size,
// credentials, an optional external server and the breakpoints, read back as core/api SessionOptions.

import type { ScenarioSummary, SessionOptions } from '../core/api/labApi';
import { findBuiltinScenario } from '../core/scenarios/builtinScenarios';
import { DEFAULT_ACCOUNT } from '../core/scenarios/scenario';
import { byId, element } from './dom';

export interface Breakpoints {
  readonly verbs: string[];
  readonly events: string[];
}

export interface OptionsPanel {
  setScenarios(list: readonly ScenarioSummary[]): void;
  /** What the user chose, ready for startSession (always paused: the renderer paces the client). */
  read(): SessionOptions;
  breakpoints(): Breakpoints;
  onBreakpointsChange(listener: (breakpoints: Breakpoints) => void): void;
}

export function createOptionsPanel(doc: Document): OptionsPanel {
  const form = byId<HTMLFormElement>(doc, 'options');
  const scenario = byId<HTMLSelectElement>(doc, 'scenario');
  const title = byId(doc, 'scenario-title');
  const description = byId(doc, 'scenario-description');
  const file = byId<HTMLInputElement>(doc, 'file');
  const size = byId<HTMLInputElement>(doc, 'size');
  const user = byId<HTMLInputElement>(doc, 'user');
  const password = byId<HTMLInputElement>(doc, 'password');
  const extended = byId<HTMLInputElement>(doc, 'extended');
  const external = byId<HTMLInputElement>(doc, 'external');
  const externalFields = byId(doc, 'external-fields');
  const serverHost = byId<HTMLInputElement>(doc, 'server-host');
  const serverPort = byId<HTMLInputElement>(doc, 'server-port');
  const bpVerbs = byId<HTMLInputElement>(doc, 'bp-verbs');
  const bpEvents = byId(doc, 'bp-events');
  const summaries = new Map<string, ScenarioSummary>();
  const breakpointListeners = new Set<(breakpoints: Breakpoints) => void>();

  user.value = DEFAULT_ACCOUNT.user;
  password.value = DEFAULT_ACCOUNT.password;
  form.addEventListener('submit', (event) => event.preventDefault());

  const radio = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;
  const check = (name: string, value: string) => {
    const input = form.querySelector<HTMLInputElement>(`input[name="${name}"][value="${value}"]`);
    if (input) input.checked = true;
  };

  /** Fills the fields with the scenario's own defaults, as `ftp-lab run` would use them. */
  const applyDefaults = () => {
    const name = scenario.value;
    title.textContent = summaries.get(name)?.title ?? '';
    description.textContent = summaries.get(name)?.description ?? '';
    const defaults = findBuiltinScenario(name)?.defaults ?? {};
    check('mode', defaults.mode ?? 'S');
    check('conn', defaults.passive ? 'passive' : 'active');
    check('type', defaults.type ?? 'I');
    file.value = defaults.file ?? 'notes.txt';
    size.value = String(defaults.size ?? 4096);
  };
  scenario.addEventListener('change', applyDefaults);

  const syncExternal = () => {
    externalFields.hidden = !external.checked;
  };
  external.addEventListener('change', syncExternal);
  syncExternal();

  const breakpoints = (): Breakpoints => ({
    verbs: bpVerbs.value
      .split(/[\s,]+/)
      .map((v) => v.trim().toUpperCase())
      .filter((v) => /^[A-Z]{3,4}$/.test(v)),
    events: [...bpEvents.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((input) => input.value),
  });
  const announce = () => {
    const current = breakpoints();
    for (const listener of breakpointListeners) listener(current);
  };
  bpVerbs.addEventListener('change', announce);
  bpEvents.addEventListener('change', announce);

  return {
    setScenarios(list) {
      summaries.clear();
      scenario.replaceChildren(
        ...list.map((s) => {
          summaries.set(s.name, s);
          return element(doc, 'option', { text: s.name, attrs: { value: s.name, title: s.title } });
        }),
      );
      applyDefaults();
    },
    read() {
      const sizeValue = Number(size.value);
      const options: SessionOptions = {
        scenario: scenario.value,
        paused: true,
        mode: (radio('mode') ?? 'S') as 'S' | 'B' | 'C',
        passive: radio('conn') === 'passive',
        ...(extended.checked ? { extended: true } : {}),
        type: (radio('type') ?? 'I') as 'A' | 'I',
        ...(file.value ? { file: file.value } : {}),
        ...(Number.isInteger(sizeValue) && sizeValue >= 0 ? { size: sizeValue } : {}),
        ...(user.value ? { user: user.value } : {}),
        ...(password.value ? { password: password.value } : {}),
        ...(external.checked ? { server: { host: serverHost.value.trim(), port: Number(serverPort.value) } } : {}),
        breakpoints: breakpoints(),
      };
      return options;
    },
    breakpoints,
    onBreakpointsChange(listener) {
      breakpointListeners.add(listener);
    },
  };
}
