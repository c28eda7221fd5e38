// The capture filter for recording a session's own packets (`ftp-lab run|serve --capture`): a BPF expression, as
// dumpcap and tcpdump take it (pcap-filter(7)), on the ports the session's connections use and nothing else on the
// loopback interface. Also the other way: which of a trace's connections such a filter lets through.

import type { TraceEvent } from '../trace/traceEvent';

/** The ports a session's connections use, as far as they are known before it starts. */
export interface SessionPorts {
  /** Single ports: the server's control port L, and its active-mode data port L-1 (RFC 959 §3.2). */
  readonly ports: readonly number[];
  /** The server's passive-mode ports (PASV/EPSV listeners), when it keeps to a range. */
  readonly range?: { readonly min: number; readonly max: number };
}

/** The ports of a server on `port`: the control port, and L-1 where the server connects from in active mode. */
export function serverPorts(port: number, range?: SessionPorts['range']): SessionPorts {
  return { ports: port > 1 ? [port, port - 1] : [port], ...(range ? { range } : {}) };
}

/** 'tcp and (port 2121 or port 2120 or portrange 20000-20063)'. */
export function captureFilter(session: SessionPorts): string {
  const terms = [...new Set(session.ports)].map((p) => `port ${p}`);
  if (session.range) terms.push(`portrange ${session.range.min}-${session.range.max}`);
  return `tcp and (${terms.join(' or ')})`;
}

/** Whether a connection between these ports passes the filter. */
function passes(session: SessionPorts, a: number, b: number): boolean {
  const inRange = (p: number) => session.range !== undefined && p >= session.range.min && p <= session.range.max;
  return [a, b].some((p) => session.ports.includes(p) || inRange(p));
}

/** The trace's connections the filter did not let through ('D2 (127.0.0.1:41002 → 127.0.0.1:39811)'), so a reader is told. */
export function connectionsOutside(session: SessionPorts, events: readonly TraceEvent[]): string[] {
  const seen = new Set<string>();
  const outside: string[] = [];
  for (const e of events) {
    if (e.type !== 'tcp.connect' && e.type !== 'tcp.accept') continue;
    const key = `${e.session ?? ''}/${e.conn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!passes(session, e.local.port, e.remote.port)) outside.push(`${e.conn} (port ${e.local.port} ↔ ${e.remote.port})`);
  }
  return outside;
}
