// The kernel's own table of TCP connections: on Linux /proc/net/tcp and /proc/net/tcp6, read as they are and
// named in RFC 793 §3.2's words. Elsewhere there is no such file, and the reader says so instead of guessing.

import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Endpoint, KernelTcpState } from '../../core/trace/traceEvent';
import { plainHost } from '../../core/protocol/hostPort';

/** Linux's numbering of TCP states (include/net/tcp_states.h); LISTEN (10) is a listener, not a connection. */
const LINUX_TCP_STATES: Readonly<Record<number, KernelTcpState>> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECEIVED',
  4: 'FIN_WAIT_1',
  5: 'FIN_WAIT_2',
  6: 'TIME_WAIT',
  7: 'CLOSED',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  11: 'CLOSING',
  // NEW_SYN_RECV: a request socket, before the accept queue; RFC 793 calls it SYN-RECEIVED too.
  12: 'SYN_RECEIVED',
};

export const KERNEL_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'] as const;

export interface KernelConnection {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly state: KernelTcpState;
}

/**
 * The table's addresses are the kernel's 32-bit words printed as hex in the machine's byte order (four words
 * for IPv6), the ports in network order: 0100007F:0015 is 127.0.0.1:21 on a little-endian machine.
 */
function endpointOf(hex: string, littleEndian: boolean): Endpoint {
  const [address = '', port = '0'] = hex.split(':');
  const bytes: number[] = [];
  for (let word = 0; word < address.length; word += 8) {
    const b = [0, 2, 4, 6].map((i) => parseInt(address.slice(word + i, word + i + 2), 16));
    bytes.push(...(littleEndian ? b.reverse() : b));
  }
  const host = bytes.length === 4 ? bytes.join('.') : Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':');
  return { host: plainHost(compressIpv6(host)), port: parseInt(port, 16) };
}

/**
 * The address as Node writes it, so it compares equal with a socket's: 0:0:0:0:0:ffff:7f00:1 is ::ffff:127.0.0.1
 * (plainHost then gives 127.0.0.1); any other IPv6 address in RFC 5952's form (the longest run of zero groups
 * shortened), which the URL parser produces as inet_ntop does.
 */
function compressIpv6(host: string): string {
  if (!host.includes(':')) return host;
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return new URL(`http://[${host}]/`).hostname.slice(1, -1);
}

/** Parses one table's text (its header line first). Rows in other states (LISTEN) are left out. */
export function parseKernelTcpTable(text: string, littleEndian = endianness() === 'LE'): KernelConnection[] {
  const rows: KernelConnection[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const state = LINUX_TCP_STATES[parseInt(fields[3]!, 16)];
    if (!state) continue;
    rows.push({ local: endpointOf(fields[1]!, littleEndian), remote: endpointOf(fields[2]!, littleEndian), state });
  }
  return rows;
}

/** Every TCP connection the kernel holds now, or why that cannot be known on this system. */
export function readKernelTcpTable(): KernelConnection[] | { unavailable: string } {
  const rows: KernelConnection[] = [];
  let found = 0;
  for (const path of KERNEL_TABLES) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    found += 1;
    rows.push(...parseKernelTcpTable(text));
  }
  if (found === 0) return { unavailable: `this system has no ${KERNEL_TABLES.join(' or ')} (only Linux has), so the kernel's TCP states cannot be read` };
  return rows;
}
