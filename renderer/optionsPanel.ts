// The scenario and options panel: the built-in scenario list, mode, data connection, TYPE, file, size,
// credentials, an optional external server and the breakpoints, read back as core/api SessionOptions.

import type { ScenarioSummary, SessionOptions } from '../core/api/labApi';
import { wireBreakpoints, type BreakpointSet } from './breakpoints';
import { findBuiltinScenario } from '../core/scenarios/builtinScenarios';
import { DEFAULT_ACCOUNT, parseScenario } from '../core/scenarios/scenario';
import { byId, element } from './dom';
import type { DiagramLayers } from '../core/diagram/layout/layout';

/** The scenario select's value for a scenario loaded from a file (never a built-in name: those have no colon). */
const FILE_SCENARIO = 'file:';
/** core/api's limit on an inline scenario. */
const MAX_SCENARIO_CHARS = 1_000_000;

interface LoadedScenario {
  readonly fileName: string;
  readonly json: string;
  readonly title: string;
  readonly description: string;
  readonly defaults: Record<string, unknown>;
}

/** What the panel shows of a scenario file before the host checks it (the host's parser is the judge). */
function previewScenario(fileName: string, json: string): LoadedScenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const object = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const defaults =
    object.defaults && typeof object.defaults === 'object' && !Array.isArray(object.defaults) ? (object.defaults as Record<string, unknown>) : {};
  return {
    fileName,
    json,
    title: typeof object.title === 'string' ? object.title : fileName,
    description: `From the file ${fileName}${typeof object.description === 'string' ? `: ${object.description.trim().replace(/[.!?]$/, '')}` : ''}.`,
    defaults,
  };
}

export interface OptionsPanelHooks {
  /** A sentence for the status line (a scenario file loaded, or why it could not be). */
  readonly report: (text: string, tone: 'idle' | 'error') => void;
}

export interface OptionsPanel {
  setScenarios(list: readonly ScenarioSummary[]): void;
  /** What the user chose, ready for startSession (always paused: the renderer paces the client). */
  read(): SessionOptions;
  breakpoints(): BreakpointSet;
  onBreakpointsChange(listener: (breakpoints: BreakpointSet) => void): void;
  /** "Watch server" was pressed, with a valid port (0: any free port). */
  onWatch(listener: (port: number) => void): void;
  /** Shows the port being watched (undefined: not watching). */
  showWatching(port: number | undefined): void;
  /** The diagram layers ticked: kernel TCP states, TCP segments. */
  layers(): DiagramLayers;
  onLayersChange(listener: (layers: DiagramLayers) => void): void;
}

export function createOptionsPanel(doc: Document, hooks: OptionsPanelHooks): OptionsPanel {
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
  const bpCodes = byId<HTMLInputElement>(doc, 'bp-codes');
  const bpEvents = byId(doc, 'bp-events');
  const loadScenario = byId<HTMLButtonElement>(doc, 'load-scenario');
  const scenarioFile = byId<HTMLInputElement>(doc, 'scenario-file');
  let loaded: LoadedScenario | undefined;
  const watchPort = byId<HTMLInputElement>(doc, 'watch-port');
  const watchButton = byId<HTMLButtonElement>(doc, 'watch-server');
  const watchStatus = byId(doc, 'watch-status');
  const watchListeners = new Set<(port: number) => void>();
  let watchingShown: number | undefined;
  watchButton.addEventListener('click', () => {
    const port = Number(watchPort.value);
    if (watchPort.value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
      hooks.report('The port to watch is a whole number from 0 to 65535 (0 picks a free port).', 'error');
      return;
    }
    for (const listener of watchListeners) listener(port);
  });
  const layerKernelStates = byId<HTMLInputElement>(doc, 'layer-kernel-states');
  const layerTcp = byId<HTMLInputElement>(doc, 'layer-tcp');
  const layerListeners = new Set<(layers: DiagramLayers) => void>();
  const layers = (): DiagramLayers => ({ kernelStates: layerKernelStates.checked, tcp: layerTcp.checked });
  for (const input of [layerKernelStates, layerTcp])
    input.addEventListener('change', () => {
      for (const listener of layerListeners) listener(layers());
    });
  const summaries = new Map<string, ScenarioSummary>();
  const breakpointListeners = new Set<(breakpoints: BreakpointSet) => void>();

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
    const fromFile = name === FILE_SCENARIO ? loaded : undefined;
    title.textContent = fromFile ? fromFile.title : (summaries.get(name)?.title ?? '');
    description.textContent = fromFile ? fromFile.description : (summaries.get(name)?.description ?? '');
    const d = fromFile?.defaults ?? findBuiltinScenario(name)?.defaults ?? {};
    check('mode', typeof d.mode === 'string' ? d.mode : 'S');
    check('conn', d.passive === true ? 'passive' : 'active');
    check('type', typeof d.type === 'string' ? d.type : 'I');
    file.value = typeof d.file === 'string' ? d.file : 'notes.txt';
    size.value = String(typeof d.size === 'number' ? d.size : 4096);
  };

  /** Lists the loaded file in the scenario select (after the built-ins) and picks it. */
  const showLoaded = () => {
    if (!loaded) return;
    let option = scenario.querySelector<HTMLOptionElement>(`option[value="${FILE_SCENARIO}"]`);
    if (!option) {
      option = element(doc, 'option', { attrs: { value: FILE_SCENARIO } });
      scenario.append(option);
    }
    option.textContent = `file: ${loaded.fileName}`;
    option.title = loaded.title;
  };
  loadScenario.addEventListener('click', () => scenarioFile.click());
  scenarioFile.addEventListener('change', () => {
    const chosen = scenarioFile.files?.[0];
    scenarioFile.value = '';
    if (!chosen) return;
    if (chosen.size > MAX_SCENARIO_CHARS) {
      hooks.report(`Could not load ${chosen.name}: a scenario file may be at most ${MAX_SCENARIO_CHARS} bytes.`, 'error');
      return;
    }
    chosen.text().then(
      (json) => {
        // Checked now, with the same rules the host applies at Run: a broken file is refused on load, saying why.
        try {
          parseScenario(json);
        } catch (error) {
          hooks.report(`Could not load ${chosen.name}: ${(error as Error).message}`, 'error');
          return;
        }
        loaded = previewScenario(chosen.name, json);
        showLoaded();
        scenario.value = FILE_SCENARIO;
        applyDefaults();
        hooks.report(`Scenario file loaded: ${chosen.name}. Press Run or Step to run it.`, 'idle');
      },
      (error: Error) => hooks.report(`Could not read ${chosen.name}: ${error.message}`, 'error'),
    );
  });
  scenario.addEventListener('change', applyDefaults);

  const syncExternal = () => {
    externalFields.hidden = !external.checked;
  };
  external.addEventListener('change', syncExternal);
  syncExternal();

  const breakpoints = (): BreakpointSet => ({
    verbs: bpVerbs.value
      .split(/[\s,]+/)
      .map((v) => v.trim().toUpperCase())
      .filter((v) => /^[A-Z]{3,4}$/.test(v)),
    codes: bpCodes.value
      .split(/[\s,]+/)
      .filter((v) => /^[1-5]\d\d$/.test(v.trim()))
      .map(Number),
    events: [...bpEvents.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((input) => input.value),
  });
  const announce = () => {
    const current = breakpoints();
    for (const listener of breakpointListeners) listener(current);
  };
  bpVerbs.addEventListener('change', announce);
  bpCodes.addEventListener('change', announce);
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
      showLoaded();
      if (loaded && scenario.value === '') scenario.value = FILE_SCENARIO;
      applyDefaults();
    },
    read() {
      const sizeValue = Number(size.value);
      const options: SessionOptions = {
        scenario: scenario.value === FILE_SCENARIO && loaded ? { json: loaded.json } : scenario.value,
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
        breakpoints: wireBreakpoints(breakpoints()),
      };
      return options;
    },
    breakpoints,
    onBreakpointsChange(listener) {
      breakpointListeners.add(listener);
    },
    onWatch(listener) {
      watchListeners.add(listener);
    },
    layers,
    onLayersChange(listener) {
      layerListeners.add(listener);
    },
    showWatching(port) {
      if (port === watchingShown) return;
      watchingShown = port;
      watchStatus.hidden = port === undefined;
      watchStatus.textContent = port === undefined ? '' : `Watching 127.0.0.1:${port}. Connect a client, e.g. ftp 127.0.0.1 ${port}; Stop ends it.`;
      watchButton.textContent = port === undefined ? 'Watch server' : 'Watching…';
      watchButton.disabled = port !== undefined;
    },
  };
}
