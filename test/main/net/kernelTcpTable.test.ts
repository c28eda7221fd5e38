// The kernel's TCP table as Linux prints it (/proc/net/tcp, /proc/net/tcp6): addresses in the machine's byte
// order, ports in network order, states by number; and the table read on this machine agrees with `ss -tan`.

import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseKernelTcpTable, readKernelTcpTable } from '../../../main/net/kernelTcpTable';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1457 1 0000000000000000 100 0 0 10 0
   1: 0100007F:6224 0100007F:B42F 06 00000000:00000000 03:000009F0 00000000     0        0 0 3 0000000000000000
   2: 0200007F:0015 0100007F:C350 08 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:0015 0000000000000000FFFF00000100007F:A000 05 00000000:00000000 00:00000000 00000000     0        0 8 1 0000000000000000 20 4 30 10 -1
`;

describe('parseKernelTcpTable', () => {
  it('reads IPv4 rows (little-endian words, ports in network order), names the states, leaves listeners out', () => {
    expect(parseKernelTcpTable(TCP, true)).toEqual([
      { local: { host: '127.0.0.1', port: 0x6224 }, remote: { host: '127.0.0.1', port: 0xb42f }, state: 'TIME_WAIT' },
      { local: { host: '127.0.0.2', port: 21 }, remote: { host: '127.0.0.1', port: 50000 }, state: 'CLOSE_WAIT' },
    ]);
  });

  it('reads a big-endian machine’s words the other way round', () => {
    expect(parseKernelTcpTable(TCP.replace('0200007F:0015', '7F000002:0015'), false)[1]!.local).toEqual({ host: '127.0.0.2', port: 21 });
  });

  it('reads IPv6 rows: ::1, and IPv4-mapped addresses as the plain IPv4 address Node reports', () => {
    expect(parseKernelTcpTable(TCP6, true)).toEqual([
      { local: { host: '::1', port: 22 }, remote: { host: '::1', port: 0xd431 }, state: 'ESTABLISHED' },
      { local: { host: '127.0.0.1', port: 21 }, remote: { host: '127.0.0.1', port: 0xa000 }, state: 'FIN_WAIT_2' },
    ]);
  });

  it('writes IPv6 addresses as Node does (RFC 5952: the longest run of zero groups shortened, not the first)', () => {
    // 1:0:0:2:0:0:0:3, as four 32-bit words each printed in the machine's (little-endian) order.
    const row = '   0: 00000100020000000000000003000000:0015 00000000000000000000000001000000:A000 01 0 0 0\n';
    expect(parseKernelTcpTable(`header\n${row}`, true)[0]).toMatchObject({ local: { host: '1:0:0:2::3', port: 21 }, remote: { host: '::1' } });
  });

  it('skips lines it cannot read and states it does not know', () => {
    expect(parseKernelTcpTable('header\n\ngarbage\n   0: 0100007F:0001 0100007F:0002 7F 0 0 0\n', true)).toEqual([]);
  });
});

describe('readKernelTcpTable on this machine', () => {
  it('finds an open loopback connection in the state ss reports for it, from both ends', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const peer = await accepted;
    try {
      const table = readKernelTcpTable();
      if (!Array.isArray(table)) throw new Error(table.unavailable);
      const mine = table.find((r) => r.local.port === client.localPort && r.remote.port === client.remotePort);
      const theirs = table.find((r) => r.local.port === peer.localPort && r.remote.port === peer.remotePort);
      expect(mine?.state).toBe('ESTABLISHED');
      expect(theirs?.state).toBe('ESTABLISHED');
      const ss = execFileSync('ss', ['-tanH', 'state', 'established', `( sport = :${client.localPort} )`], { encoding: 'utf8' });
      expect(ss).toContain(`127.0.0.1:${client.localPort}`);
    } finally {
      client.destroy();
      peer.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
