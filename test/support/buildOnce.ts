// vitest global setup: builds dist/ once before any test runs (scripts/build.ts), so tests that spawn the
// CLI (bin/ftp-lab.js) or serve the renderer run the sources as they are now, whoever started vitest.

import { buildAll } from '../../scripts/build';

export default async function setup(): Promise<void> {
  await buildAll();
}
