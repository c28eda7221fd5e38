// Test runner settings: every test file under test/, real sockets, generous timeouts for interop peers.
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summaryReporter.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ (CLI bundle, Electron shell, renderer) built from the current sources before the first test.
    globalSetup: ['test/support/buildOnce.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: run files in parallel, but not so many that peers (vsftpd, python) starve.
    maxWorkers: 2,
    // The summary reporter prints `N passed, N failed` as the run's last line (.ci/run relies on it).
    reporters: ['default', new SummaryReporter()],
  },
});
