// Capture files written by test code: a TCP conversation built segment by segment (sequence and
// acknowledgment numbers kept as a real stack would), framed for a link type, and written as pcapng
// (core's own writer) or classic pcap in either byte order and timestamp unit. Tests then drop, repeat or
// reorder packets to make the captures real networks give.

import { encodeIpTcpPacket, type TcpSegment } from '../../core/capture/ipTcpPacket';
import { parseIpAddress, type IpAddress } from '../../core/capture/ipAddress';
import { pcapngFile } from '../../core/capture/pcapngWriter';
import { LinkType } from '../../core/capture/pcapng.table';
import { TcpFlag } from '../../core/capture/tcpIp.table';

export interface Packet {
  readonly timeMs: number;
  readonly segment: TcpSegment;
}

export interface End {
  readonly address: IpAddress;
  readonly port: number;
}

export const end = (host: string, port: number): End => ({ address: parseIpAddress(host)!, port });

const text = (s: string) => new TextEncoder().encode(s);

/** One TCP connection's packets, with the sequence numbers each end would use. */
export class Conversation {
  readonly #next: [number, number];
  constructor(
    readonly ends: readonly [End, End],
    readonly clock: { t: number },
    isn: readonly [number, number] = [1000, 5000],
  ) {
    this.#next = [isn[0], isn[1]];
  }

  #packet(from: 0 | 1, flags: number, payload: Uint8Array, seqUse = payload.length): Packet {
    const to = from === 0 ? 1 : 0;
    this.clock.t += 1;
    const segment: TcpSegment = {
      source: this.ends[from].address,
      destination: this.ends[to].address,
      sourcePort: this.ends[from].port,
      destinationPort: this.ends[to].port,
      seq: this.#next[from] >>> 0,
      ack: flags & TcpFlag.SYN && !(flags & TcpFlag.ACK) ? 0 : this.#next[to] >>> 0,
      flags,
      window: 65535,
      payload,
    };
    this.#next[from] += seqUse;
    return { timeMs: this.clock.t, segment };
  }

  handshake(): Packet[] {
    return [this.#packet(0, TcpFlag.SYN, new Uint8Array(0), 1), this.#packet(1, TcpFlag.SYN | TcpFlag.ACK, new Uint8Array(0), 1), this.ack(0)];
  }

  /** Bytes from one end (text or bytes), then the other end's ACK of them. */
  send(from: 0 | 1, data: string | Uint8Array): Packet[] {
    const bytes = typeof data === 'string' ? text(data) : data;
    return [this.#packet(from, TcpFlag.PSH | TcpFlag.ACK, bytes), this.ack(from === 0 ? 1 : 0)];
  }

  /** Just the data segment, no ACK after it. */
  data(from: 0 | 1, data: string | Uint8Array): Packet {
    return this.#packet(from, TcpFlag.PSH | TcpFlag.ACK, typeof data === 'string' ? text(data) : data);
  }

  ack(from: 0 | 1): Packet {
    return this.#packet(from, TcpFlag.ACK, new Uint8Array(0));
  }

  fin(from: 0 | 1): Packet[] {
    return [this.#packet(from, TcpFlag.FIN | TcpFlag.ACK, new Uint8Array(0), 1), this.ack(from === 0 ? 1 : 0)];
  }

  rst(from: 0 | 1): Packet {
    return this.#packet(from, TcpFlag.RST | TcpFlag.ACK, new Uint8Array(0));
  }
}

/** The link header a link type puts before the IP packet. */
function framed(linkType: number, ip: Uint8Array): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  let header: number[];
  switch (linkType) {
    case LinkType.raw:
      return ip;
    case LinkType.ethernet:
      header = [...new Array<number>(12).fill(0), v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00];
      break;
    case LinkType.linuxSll:
      header = [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00];
      break;
    case LinkType.linuxSll2:
      // Protocol type, reserved, interface index, ARPHRD, packet type, address length, address (8).
      header = [v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...new Array<number>(8).fill(0)];
      break;
    case LinkType.null:
      // AF_INET 2 / AF_INET6 10 (Linux), in little-endian host order.
      header = [v6 ? 10 : 2, 0, 0, 0];
      break;
    default:
      throw new Error(`no framing for link type ${linkType}`);
  }
  const out = new Uint8Array(header.length + ip.length);
  out.set(header);
  out.set(ip, header.length);
  return out;
}

/** The packets as a pcapng file on one interface of `linkType`. */
export function pcapngOf(packets: readonly Packet[], linkType: number = LinkType.ethernet, epochMs = 1_700_000_000_000): Uint8Array {
  return pcapngFile(
    { comment: 'crafted by a test' },
    [{ linkType }],
    packets.map((p) => ({
      interfaceId: 0,
      timestamp: Math.round((epochMs + p.timeMs) * 1e3),
      data: framed(linkType, encodeIpTcpPacket(p.segment)),
    })),
  );
}

/** The packets as a classic pcap file (draft-ietf-opsawg-pcap §4, §5): either byte order, µs or ns. */
export function pcapOf(
  packets: readonly Packet[],
  opts: { linkType?: number; littleEndian?: boolean; nanoseconds?: boolean } = {},
  epochMs = 1_700_000_000_000,
): Uint8Array {
  const linkType = opts.linkType ?? LinkType.ethernet;
  const little = opts.littleEndian ?? true;
  const frames = packets.map((p) => ({ timeMs: epochMs + p.timeMs, data: framed(linkType, encodeIpTcpPacket(p.segment)) }));
  const out = new Uint8Array(24 + frames.reduce((n, f) => n + 16 + f.data.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, opts.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setUint32(16, 262144, little);
  view.setUint32(20, linkType, little);
  let at = 24;
  for (const f of frames) {
    const seconds = Math.floor(f.timeMs / 1000);
    const fraction = Math.round((f.timeMs - seconds * 1000) * (opts.nanoseconds ? 1e6 : 1e3));
    view.setUint32(at, seconds, little);
    view.setUint32(at + 4, fraction, little);
    view.setUint32(at + 8, f.data.length, little);
    view.setUint32(at + 12, f.data.length, little);
    out.set(f.data, at + 16);
    at += 16 + f.data.length;
  }
  return out;
}

/**
 * A whole FTP session: login, PASV (or EPSV for IPv6), RETR of `file` sent as `dataSegments` segments by the
 * server, its FIN (the end of file), 226, QUIT and 221. Returns the packets and which ones hold what.
 */
export function ftpDownloadSession(opts: { client?: string; server?: string; file?: Uint8Array; dataSegments?: number } = {}) {
  const clock = { t: 0 };
  const clientHost = opts.client ?? '192.0.2.10';
  const serverHost = opts.server ?? '192.0.2.21';
  const v6 = clientHost.includes(':');
  const file = opts.file ?? text('0123456789'.repeat(300));
  const pieces = opts.dataSegments ?? 3;
  const control = new Conversation([end(clientHost, 40000), end(serverHost, 21)], clock);
  const data = new Conversation([end(clientHost, 40001), end(serverHost, 50000)], clock, [7000, 9000]);
  const packets: Packet[] = [];
  const dataPackets: Packet[] = [];
  packets.push(...control.handshake());
  packets.push(...control.send(1, '220 Crafted server ready.\r\n'));
  packets.push(...control.send(0, 'USER anonymous\r\n'));
  packets.push(...control.send(1, '331 Password, please.\r\n'));
  packets.push(...control.send(0, 'PASS guest@\r\n'));
  packets.push(...control.send(1, '230 Logged in.\r\n'));
  packets.push(...control.send(0, 'TYPE I\r\n'));
  packets.push(...control.send(1, '200 Binary.\r\n'));
  packets.push(...control.send(0, v6 ? 'EPSV\r\n' : 'PASV\r\n'));
  packets.push(...control.send(1, v6 ? '229 Entering Extended Passive Mode (|||50000|)\r\n' : '227 Entering Passive Mode (192,0,2,21,195,80).\r\n'));
  packets.push(...data.handshake());
  packets.push(...control.send(0, 'RETR file.bin\r\n'));
  packets.push(...control.send(1, '150 Opening BINARY mode data connection.\r\n'));
  const size = Math.ceil(file.length / pieces);
  for (let i = 0; i < pieces; i++) {
    const segment = data.data(1, file.subarray(i * size, (i + 1) * size));
    dataPackets.push(segment);
    packets.push(segment);
  }
  packets.push(data.ack(0));
  packets.push(...data.fin(1));
  packets.push(...data.fin(0));
  packets.push(...control.send(1, '226 Transfer complete.\r\n'));
  packets.push(...control.send(0, 'QUIT\r\n'));
  packets.push(...control.send(1, '221 Goodbye.\r\n'));
  packets.push(...control.fin(1));
  packets.push(...control.fin(0));
  return { packets, dataPackets, fileBytes: file.length };
}
