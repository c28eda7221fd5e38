// The browser host alone, in a process of its own (so its memory can be read from /proc): serves a given renderer
// build, prints its URL on one line, and runs until SIGTERM. Usage: node --import tsx bench/webHostChild.ts RENDERER_DIR TRACE_DIR
import { startWebHost } from '../main/web/webHost';

const [rendererDir, watchTraceDir] = process.argv.slice(2);
const host = await startWebHost({ port: 0, ...(rendererDir ? { rendererDir } : {}), ...(watchTraceDir ? { watchTraceDir } : {}) });
process.stdout.write(`${host.url}\n`);
process.once('SIGTERM', () => void host.close().then(() => process.exit(0)));
