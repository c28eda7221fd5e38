// Prints one plain line as the very last line of a run: `N passed, N failed` (`, N skipped` if any).
// .ci/run and people skimming CI logs rely on it. A file that failed to load (syntax error, failing
// beforeAll/afterAll), an unhandled error or an interrupted run always counts as at least one failure,
// so the line never says "0 failed" for a run that failed.
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import type { SerializedError } from 'vitest';

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countResults(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): RunCounts {
  const counts: RunCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    let moduleFailures = 0;
    for (const test of module.children.allTests()) {
      const { state } = test.result();
      if (state === 'passed') counts.passed += 1;
      else if (state === 'skipped') counts.skipped += 1;
      else moduleFailures += 1; // 'failed', or 'pending' = never finished
    }
    // Errors outside any test: collection (syntax/import errors) and suite-level hooks.
    const suiteErrors = module.errors().length + [...module.children.allSuites()].reduce((n, s) => n + s.errors().length, 0);
    if (moduleFailures === 0 && (suiteErrors > 0 || module.state() === 'failed')) moduleFailures = 1;
    counts.failed += moduleFailures;
  }
  counts.failed += unhandledErrors.length;
  if (reason !== 'passed' && counts.failed === 0) counts.failed = 1;
  return counts;
}

export function formatSummary(counts: RunCounts): string {
  const line = `${counts.passed} passed, ${counts.failed} failed`;
  return counts.skipped > 0 ? `${line}, ${counts.skipped} skipped` : line;
}

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const line = formatSummary(countResults(testModules, unhandledErrors, reason));
    if (this.vitest) this.vitest.logger.log(line);
    else process.stdout.write(`${line}\n`);
  }
}
