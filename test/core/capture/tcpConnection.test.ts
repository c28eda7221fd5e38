// Tests the sequence arithmetic of a rebuilt TCP connection (RFC 9293 §3.4): the handshake, data and FIN
// each moving the sender's sequence number, every ACK naming all the peer has sent, 32-bit wrap-around, and
// no segment where TCP could not send one (after FIN, after RST).

import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../../core/capture/ipAddress';
import type { TcpSegment } from '../../../core/capture/ipTcpPacket';
import { TcpConnection } from '../../../core/capture/tcpConnection';
import { TcpFlag } from '../../../core/capture/tcpIp.table';

const address = parseIpAddress('127.0.0.1')!;
const client = { address, port: 40000, isn: 1000 };
const server = { address, port: 2121, isn: 2 ** 32 - 2 };
const bytes = (n: number) => new Uint8Array(n).fill(0x41);

/** A segment as a person reads it in Wireshark's list: sender port, flags, seq, ack, length. */
function row(s: TcpSegment): string {
  const flags = (Object.entries(TcpFlag) as [string, number][])
    .filter(([, bit]) => s.flags & bit)
    .map(([name]) => name)
    .join(',');
  return `${s.sourcePort} ${flags} seq=${s.seq} ack=${s.ack} len=${s.payload.length}`;
}

describe('TcpConnection', () => {
  it('opens with SYN, SYN-ACK, ACK: each SYN takes one sequence number and announces the MSS', () => {
    const tcp = new TcpConnection(client, server, 1460);
    const handshake = tcp.open();
    expect(handshake.map(row)).toEqual([
      `40000 SYN seq=1000 ack=0 len=0`,
      `2121 SYN,ACK seq=${2 ** 32 - 2} ack=1001 len=0`,
      `40000 ACK seq=1001 ack=${2 ** 32 - 1} len=0`,
    ]);
    expect(handshake.map((s) => s.mss)).toEqual([1460, 1460, undefined]);
  });

  it('data moves the sender on by its length, the peer ACKs it at once; sequence numbers wrap at 2^32', () => {
    const tcp = new TcpConnection(client, server, 1460);
    tcp.open();
    expect(tcp.send('acceptor', bytes(3), true).map(row)).toEqual([`2121 PSH,ACK seq=${2 ** 32 - 1} ack=1001 len=3`, `40000 ACK seq=1001 ack=2 len=0`]);
    expect(tcp.send('initiator', bytes(1460), false).map(row)).toEqual([`40000 ACK seq=1001 ack=2 len=1460`, `2121 ACK seq=2 ack=2461 len=0`]);
  });

  it('FIN takes one sequence number; the side that sent it can still receive and ACK, and then close too', () => {
    const tcp = new TcpConnection(client, server, 1460);
    tcp.open();
    expect(tcp.fin('acceptor').map(row)).toEqual([`2121 FIN,ACK seq=${2 ** 32 - 1} ack=1001 len=0`, `40000 ACK seq=1001 ack=0 len=0`]);
    expect(tcp.refusal('acceptor')).toBe('already sent FIN');
    expect(() => tcp.send('acceptor', bytes(1), true)).toThrow(/already sent FIN/);
    expect(tcp.send('initiator', bytes(2), true).map(row)).toEqual([`40000 PSH,ACK seq=1001 ack=0 len=2`, `2121 ACK seq=0 ack=1003 len=0`]);
    expect(tcp.fin('initiator').map(row)).toEqual([`40000 FIN,ACK seq=1003 ack=0 len=0`, `2121 ACK seq=0 ack=1004 len=0`]);
  });

  it('RST ends everything: one segment, nothing after it', () => {
    const tcp = new TcpConnection(client, server, 1460);
    tcp.open();
    tcp.send('initiator', bytes(10), true);
    expect(tcp.reset('acceptor').map(row)).toEqual([`2121 RST,ACK seq=${2 ** 32 - 1} ack=1011 len=0`]);
    expect(tcp.refusal('initiator')).toBe('reset');
    expect(() => tcp.fin('initiator')).toThrow(/reset/);
  });

  it('a segment holds 1 to MSS bytes, and nothing is sent before the handshake', () => {
    const tcp = new TcpConnection(client, server, 1460);
    expect(tcp.refusal('initiator')).toBe('not open');
    tcp.open();
    expect(() => tcp.send('initiator', bytes(1461), true)).toThrow(/1 to 1460 bytes/);
    expect(() => tcp.send('initiator', bytes(0), true)).toThrow(/1 to 1460 bytes/);
    expect(() => tcp.open()).toThrow(/already open/);
  });
});
