// Golden files for painted diagrams: compared after normalising numbers, rewritten with UPDATE_GOLDEN=1
// (or `vitest -u`). File access goes through vitest's snapshot environment, so test/core stays free of node:*.

import { expect } from 'vitest';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

const GEOMETRY = /\s(x|y|x1|y1|x2|y2|cx|cy|r|rx|width|height|d|viewBox)="([^"]*)"/g;

/**
 * Rounds the decimal numbers in geometry attributes to one place, so a tiny float change in layout does
 * not break a golden file. Text is left alone ('127.0.0.1', '2.3 ms' are content, not geometry).
 */
export function normaliseNumbers(svg: string): string {
  return svg.replace(GEOMETRY, (_all, name: string, value: string) => {
    const rounded = value.replace(/-?\d+\.\d+/g, (n) => {
      const r = Math.round(Number(n) * 10) / 10;
      return String(Object.is(r, -0) ? 0 : r);
    });
    return ` ${name}="${rounded}"`;
  });
}

/** Compares `actual` (normalised) with golden/<name>, or rewrites it when asked to. */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const state = expect.getState();
  const snapshots = state.snapshotState;
  const testPath = state.testPath;
  if (!testPath) throw new Error('expectGolden runs inside a test');
  const path = await snapshots.environment.resolveRawPath(testPath, `./golden/${name}`);
  const text = normaliseNumbers(actual);
  if (env.UPDATE_GOLDEN === '1' || snapshots.snapshotUpdateState === 'all') {
    await snapshots.environment.saveSnapshotFile(path, text);
    return;
  }
  const golden = await snapshots.environment.readSnapshotFile(path);
  if (golden === null) throw new Error(`No golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run test/core/diagram, then review it.`);
  expect(text, `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it; review the diff)`).toBe(golden);
}
