// The scenario format (JSON): a client script with placeholders, validated on load and resolved into client steps.

import { z } from 'zod';
import { commandTable } from '../protocol/commands.table';
import { parseCommand } from '../protocol/commandLineDecoder';
import type { ClientStep } from '../machines/clientSession.context';

const sendStepSchema = z
  .object({
    /** A command line; {user}, {password}, {file}, {size}, {type}, {mode} are filled in, and {mark} when sent (the last 110 MARK). */
    send: z.string().min(1).max(4000),
    /** The final reply codes this step accepts (default: any 2yz/3yz; 226/250 for transfers). */
    expect: z.array(z.number().int().min(100).max(599)).optional(),
    /** For STOR/APPE/STOU: upload generated content of {size} bytes. */
    upload: z.boolean().optional(),
    /** Send ABOR once this many bytes have arrived (RETR) or gone out (STOR). */
    abortAfter: z.number().int().nonnegative().optional(),
    /** BLOCK/COMPRESSED uploads: a restart marker every this many bytes (959 §3.5). */
    restartEvery: z.number().int().positive().optional(),
    /** Upload from where the last 110 MARK says the server stands (use after REST {mark}). */
    resume: z.boolean().optional(),
    /** Explains the step in the transcript and narration. */
    note: z.string().optional(),
  })
  .strict();

const dataStepSchema = z
  .object({
    /** Set up the next data connection: PORT/EPRT (active) or PASV/EPSV (passive). */
    data: z.literal('setup'),
    /** Override the run's --passive/--active for this step. */
    passive: z.boolean().optional(),
    /** Active mode only: close the listener right after PORT's 200, so the server's connect is refused (425). */
    refuse: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();

const stepSchema = z.union([sendStepSchema, dataStepSchema]);

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string(),
    description: z.string(),
    defaults: z
      .object({
        passive: z.boolean().optional(),
        type: z.enum(['A', 'I']).optional(),
        mode: z.enum(['S', 'B', 'C']).optional(),
        file: z.string().optional(),
        size: z.number().int().nonnegative().optional(),
        text: z.boolean().optional(),
      })
      .strict()
      .optional(),
    steps: z.array(stepSchema).min(1).max(10_000),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof stepSchema>;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Validates a scenario read from a file; the message names the first problem. */
export function parseScenario(text: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`The scenario is not valid JSON: ${(error as Error).message}`);
  }
  const result = scenarioSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ScenarioError(`The scenario is not valid: ${issue ? describeIssue(issue, json) : 'unknown problem'}`);
  }
  return result.data;
}

type Issue = z.core.$ZodIssue;

/**
 * The first problem, as a person can act on it. A step that fits neither kind would only say "Invalid input";
 * it is checked against the kind its keys ask for ("send": a command step, "data": a data-connection step).
 */
function describeIssue(issue: Issue, json: unknown): string {
  const where = issue.path.join('.') || 'top level';
  if (issue.code !== 'invalid_union' || issue.path[0] !== 'steps' || typeof issue.path[1] !== 'number') return `${where}: ${issue.message}`;
  const step = (json as { steps: unknown[] }).steps[issue.path[1]];
  const kind = step && typeof step === 'object' ? ('send' in step ? sendStepSchema : 'data' in step ? dataStepSchema : undefined) : undefined;
  if (!kind) return `${where}: a step is {"send": "A COMMAND LINE", ...} or {"data": "setup", ...}`;
  const inner = kind.safeParse(step);
  const first = inner.success ? undefined : inner.error.issues[0];
  return first ? `${[...issue.path, ...first.path].join('.')}: ${first.message}` : `${where}: ${issue.message}`;
}

export interface RunSettings {
  readonly user: string;
  readonly password: string;
  readonly passive: boolean;
  readonly type: 'A' | 'I';
  readonly mode: 'S' | 'B' | 'C';
  readonly file: string;
  readonly size: number;
  readonly text: boolean;
}

/** The account the built-in server knows and scenarios log in with unless told otherwise. */
export const DEFAULT_ACCOUNT = { user: 'student', password: 'ftp-lab' } as const;

/** Settings for a run: the scenario's defaults, overridden by what the user asked for. */
export function settingsFor(scenario: Scenario, asked: Partial<RunSettings>): RunSettings {
  const d = scenario.defaults ?? {};
  return {
    user: asked.user ?? DEFAULT_ACCOUNT.user,
    password: asked.password ?? DEFAULT_ACCOUNT.password,
    passive: asked.passive ?? d.passive ?? false,
    type: asked.type ?? d.type ?? 'I',
    mode: asked.mode ?? d.mode ?? 'S',
    file: asked.file ?? d.file ?? 'notes.txt',
    size: asked.size ?? d.size ?? 4096,
    text: asked.text ?? d.text ?? false,
  };
}

function fill(template: string, settings: RunSettings): string {
  return template.replace(/\{(user|password|file|size|type|mode)\}/g, (_, key: keyof RunSettings) => String(settings[key]));
}

/** Turns a scenario into the client machine's steps. */
export function resolveScenario(scenario: Scenario, settings: RunSettings): ClientStep[] {
  const steps: ClientStep[] = [];
  for (const step of scenario.steps) {
    if ('data' in step) {
      const refuse = step.refuse === true;
      // A refused connection can only be shown in active mode, where the server is the one connecting.
      steps.push({ kind: 'dataSetup', passive: refuse ? false : (step.passive ?? settings.passive), ...(refuse ? { refuse } : {}) });
      continue;
    }
    const line = fill(step.send, settings);
    const { verb } = parseCommand(line);
    const row = commandTable.get(verb);
    const expect = step.expect ? { expect: step.expect } : {};
    if (row?.kind === 'transfer' && row.direction) {
      steps.push({
        kind: 'transfer',
        line,
        direction: row.direction,
        ...(row.direction === 'upload' ? { upload: { size: settings.size, text: settings.text, seed: seedOf(line) } } : {}),
        ...(step.abortAfter !== undefined ? { abortAfterBytes: step.abortAfter } : {}),
        ...(step.restartEvery !== undefined ? { restartEvery: step.restartEvery } : {}),
        ...(step.resume ? { resumeFromMark: true } : {}),
        ...expect,
      });
    } else {
      steps.push({ kind: 'command', line, ...expect });
    }
  }
  if (settings.mode !== 'S' && !steps.some((s) => s.kind === 'command' && /^MODE\b/i.test(s.line))) {
    // The scenario has no MODE step: ask for the mode right after login, so a server that refuses it says so before any transfer.
    const afterLogin = steps.findIndex((s) => s.kind === 'command' && /^PASS\b/i.test(s.line)) + 1;
    steps.splice(afterLogin, 0, { kind: 'command', line: `MODE ${settings.mode}`, expect: [200] });
  }
  return steps;
}

/** A stable seed from the command line, so the same upload always carries the same bytes. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
