// The browser host alone, in a process of its own (so its memory can be read from /proc): serves a given renderer
// build, prints its URL on one line, and runs until SIGTERM. Usage: node --import tsx bench/webHostChild.ts RENDERER_DIR TRACE_DIR [HEAP_EVERY_MS]
// With HEAP_EVERY_MS (and node --expose-gc) it also prints `heap {"heapUsedKiB":…,"externalKiB":…}` lines: the
// heap after a full collection, i.e. what the host retains, not what it has not collected yet.
import { startWebHost } from '../main/web/webHost';

const [rendererDir, watchTraceDir, heapEveryMs] = process.argv.slice(2);
const host = await startWebHost({ port: 0, ...(rendererDir ? { rendererDir } : {}), ...(watchTraceDir ? { watchTraceDir } : {}) });
process.stdout.write(`${host.url}\n`);
const collect = (globalThis as { gc?: () => void }).gc;
const heapTimer =
  heapEveryMs && Number(heapEveryMs) > 0
    ? setInterval(() => {
        collect?.();
        const m = process.memoryUsage();
        process.stdout.write(
          `heap ${JSON.stringify({ heapUsedKiB: Math.round(m.heapUsed / 1024), externalKiB: Math.round(m.external / 1024), collected: collect !== undefined })}\n`,
        );
      }, Number(heapEveryMs))
    : undefined;
process.once('SIGTERM', () => {
  if (heapTimer) clearInterval(heapTimer);
  void host.close().then(() => process.exit(0));
});
