// An endpoint as people and tools write it: host:port, an IPv6 host in brackets so its colons stay its own (RFC 3986 §3.2.2).

import type { Endpoint } from './traceEvent';

export function endpointText(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
