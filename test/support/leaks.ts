// Leak check in the spirit of pyftpdlib's tests: whatever servers, sockets, timers and child
// processes a test created must be gone when it ends.
//
// trackHandles() records the resources created from now on (async_hooks init/destroy), and
// assertNoLeaks() polls briefly until every one of them that still keeps the event loop alive is
// closed, else throws naming each leaked resource and where it was created. It also compares
// process.getActiveResourcesInfo() counts of servers, sockets and processes with the baseline.
//
// Why not counts alone: vitest's own transient timers (RPC calls to the main process) come and go
// during a test, so a per-type count can hide a real leaked timer behind one of vitest's that ended.
import { createHook } from 'node:async_hooks';

const HOOK_TYPES: Record<string, string> = {
  TCPSERVERWRAP: 'TCPServerWrap',
  TCPWRAP: 'TCPSocketWrap',
  Timeout: 'Timeout',
  PROCESSWRAP: 'ProcessWrap',
};
// Timeouts are left out of the count cross-check: vitest's own come and go (see above).
const COUNTED = Object.values(HOOK_TYPES).filter((k) => k !== 'Timeout');

interface Tracked {
  kind: string;
  resource: object;
  where: string;
}

function counts(): Map<string, number> {
  const result = new Map<string, number>(COUNTED.map((k) => [k, 0]));
  for (const name of process.getActiveResourcesInfo()) {
    const n = result.get(name);
    if (n !== undefined) result.set(name, n + 1);
  }
  return result;
}

/** Still holding the event loop open? (unref'd timers and handles do not count as leaks) */
function isAlive(resource: object): boolean {
  const r = resource as { hasRef?: () => boolean; _destroyed?: boolean };
  if (r._destroyed === true) return false;
  return typeof r.hasRef === 'function' ? r.hasRef() : true;
}

function creationSite(): string {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  const own = stack.find((l) => !l.includes('node:') && !l.includes('/leaks.ts') && !l.includes('node_modules/vitest') && !l.includes('node_modules/@vitest'));
  return own?.trim().replace(/^at /, '') ?? 'unknown site';
}

export function trackHandles(opts: { graceMs?: number } = {}): { assertNoLeaks(): Promise<void> } {
  const graceMs = opts.graceMs ?? 500;
  const baseline = counts();
  const live = new Map<number, Tracked>();
  const hook = createHook({
    init(asyncId, type, _triggerAsyncId, resource) {
      const kind = HOOK_TYPES[type];
      if (kind) live.set(asyncId, { kind, resource, where: creationSite() });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();

  const leaked = (): string[] => {
    const tracked = [...live.values()].filter((t) => isAlive(t.resource)).map((t) => `${t.kind} created at ${t.where}`);
    const now = counts();
    const counted = COUNTED.filter((k) => (now.get(k) ?? 0) > (baseline.get(k) ?? 0)).map(
      (k) => `${(now.get(k) ?? 0) - (baseline.get(k) ?? 0)} more ${k} than before (getActiveResourcesInfo)`,
    );
    // Count differences only matter when the hook did not already name the culprit.
    return tracked.length > 0 ? tracked : counted;
  };

  return {
    async assertNoLeaks(): Promise<void> {
      try {
        const deadline = Date.now() + graceMs;
        let found = leaked();
        while (found.length > 0 && Date.now() < deadline) {
          await new Promise<void>((r) => setTimeout(r, 20).unref());
          found = leaked();
        }
        if (found.length > 0) {
          throw new Error(`leaked after ${graceMs} ms:\n  ${found.join('\n  ')}`);
        }
      } finally {
        hook.disable();
      }
    },
  };
}

/**
 * The files this process holds open below `dir` (Linux: /proc/self/fd), after waiting up to `graceMs`
 * for closes in progress: a store must close every file it opened, however the transfer ended.
 */
export async function openFilesUnder(dir: string, graceMs = 500): Promise<string[]> {
  const { readdirSync, readlinkSync } = await import('node:fs');
  const list = () => {
    const out: string[] = [];
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        if (target.startsWith(dir + '/')) out.push(target);
      } catch {
        // closed meanwhile
      }
    }
    return out;
  };
  const deadline = Date.now() + graceMs;
  let open = list();
  while (open.length > 0 && Date.now() < deadline) {
    await new Promise<void>((r) => setTimeout(r, 20).unref());
    open = list();
  }
  return open;
}
