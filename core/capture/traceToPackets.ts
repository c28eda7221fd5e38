// Rebuilds the packets of a session from its trace: each connection's handshake, every control line byte
// for byte, each data transfer as segments of its recorded length, FIN and RST from their senders, every
// segment acknowledged, at the trace's times. The trace keeps no data payload, so that is filler.

import type { Channel, Endpoint, Side, TraceEvent } from '../trace/traceEvent';
import { encodeUtf8 } from '../protocol/utf8';
import { asIpv6, parseIpAddress, type IpAddress } from './ipAddress';
import { encodeIpTcpPacket, type TcpSegment } from './ipTcpPacket';
import { TcpConnection, type TcpEnd } from './tcpConnection';
import { loopbackMss } from './tcpIp.table';
import { wireActions, type BytesSent, type WireAction } from './wireActions';

export interface RebuiltPacket {
  /** Milliseconds since the session started, as the trace counts them. */
  readonly t: number;
  /** A raw IP packet (LINKTYPE_RAW). */
  readonly bytes: Uint8Array;
  /** On the first packet of each trace action: which records it comes from, and what it is. */
  readonly comment?: string;
}

export interface RebuiltConnection {
  readonly channel: Channel;
  /** The side that sent the SYN: on a data connection, the server in active mode (PORT/EPRT), the client in passive. */
  readonly initiatorSide: Side;
  /** A data connection: the PORT, PASV, EPRT or EPSV that set it up, if the trace has it. */
  readonly setUpBy?: string;
  readonly initiator: Endpoint;
  readonly acceptor: Endpoint;
  readonly ipVersion: 4 | 6;
}

export interface RebuiltCapture {
  /** In time order; within a connection, in the order its segments were made. */
  readonly packets: readonly RebuiltPacket[];
  readonly connections: readonly RebuiltConnection[];
  /** Data payload bytes written as filler (all of them: a trace holds counts, not content). */
  readonly fillerBytes: number;
  /** The largest payload of one segment, per IP version used. */
  readonly mss: Readonly<Partial<Record<4 | 6, number>>>;
  /** What the trace has that is not in the packets, one sentence each. */
  readonly leftOut: readonly string[];
  /** Transfers recorded after the FIN or RST of their own sender, put before it. */
  readonly bytesMoved: number;
}

/** What a data segment carries in place of the bytes the trace did not keep: readable in Wireshark's Follow TCP Stream. */
export const FILLER_TEXT = 'FTP Lab filler: the trace keeps how many bytes, not which.\r\n';
const FILLER = encodeUtf8(FILLER_TEXT);

/** `length` bytes of filler, continuing the pattern at `offset` of the stream so consecutive transfers join up. */
function filler(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = FILLER[(offset + i) % FILLER.length]!;
  return out;
}

/** A made-up initial sequence number that is the same for the same connection and side each time (FNV-1a, 32 bits). */
function initialSequenceNumber(key: string, side: Side): number {
  let hash = 0x811c9dc5;
  for (const char of `${key}/${side}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

interface Conversation {
  readonly tcp: TcpConnection;
  readonly endOf: Readonly<Record<Side, TcpEnd>>;
  /** No segment of a connection may go before one made earlier: times only move forward. */
  lastT: number;
  /** Filler bytes each side has sent so far. */
  readonly fillerSent: Record<Side, number>;
}

/** Both ends' addresses in one IP version, or why not. */
function addressesOf(initiator: Endpoint, acceptor: Endpoint): [IpAddress, IpAddress] | string {
  const a = parseIpAddress(initiator.host);
  const b = parseIpAddress(acceptor.host);
  if (!a || !b) return `the host ${!a ? initiator.host : acceptor.host} is not an IP address`;
  return a.version === b.version ? [a, b] : [asIpv6(a), asIpv6(b)];
}

const commentOf = (action: WireAction): string => `trace #${action.records.join(' #')}: ${action.summary}`;

/** The packets the trace's actions put on the wire. */
export function traceToPackets(events: readonly TraceEvent[]): RebuiltCapture {
  const { actions, omitted, bytesMoved } = wireActions(events);
  const conversations = new Map<string, Conversation>();
  const connections: RebuiltConnection[] = [];
  const mss: Partial<Record<4 | 6, number>> = {};
  const leftOut = [...omitted];
  /** Connections the packets cannot show, and how many of their actions were left out with them. */
  const unshown = new Map<string, { reason: string; actions: number }>();
  const timed: { t: number; order: number; segment: TcpSegment; comment?: string }[] = [];
  let fillerBytes = 0;

  const emit = (conversation: Conversation, segments: readonly TcpSegment[], t: number, comment?: string) => {
    conversation.lastT = Math.max(conversation.lastT, t);
    segments.forEach((segment, i) => timed.push({ t: conversation.lastT, order: timed.length, segment, ...(i === 0 && comment ? { comment } : {}) }));
  };

  const sendBytes = (conversation: Conversation, action: BytesSent) => {
    const end = conversation.endOf[action.from];
    const size = conversation.tcp.mss;
    const length = 'bytes' in action.content ? action.content.bytes.length : action.content.count;
    const count = Math.ceil(length / size);
    const comment = 'bytes' in action.content ? commentOf(action) : `trace #${action.records.join(' #')}: ${length} data bytes (filler) of ${action.summary}`;
    for (let i = 0; i < count; i++) {
      const from = i * size;
      const to = Math.min(length, from + size);
      const payload = 'bytes' in action.content ? action.content.bytes.subarray(from, to) : filler(conversation.fillerSent[action.from] + from, to - from);
      // A transfer's segments spread over the time its record says it took, each at the start of its share:
      // a receiver's record starts when the first bytes arrived, a sender's when it began to write.
      const t = action.startT + ((action.t - action.startT) * i) / count;
      emit(conversation, conversation.tcp.send(end, payload, i === count - 1), t, i === 0 ? comment : undefined);
    }
    if (!('bytes' in action.content)) {
      conversation.fillerSent[action.from] += length;
      fillerBytes += length;
    }
  };

  for (const action of actions) {
    if (action.kind === 'open') {
      const addresses = addressesOf(action.initiator.endpoint, action.acceptor.endpoint);
      if (typeof addresses === 'string') {
        unshown.set(action.key, { reason: addresses, actions: 0 });
        continue;
      }
      const [initiatorAddress, acceptorAddress] = addresses;
      const version = initiatorAddress.version;
      mss[version] = loopbackMss(version);
      const tcp = new TcpConnection(
        { address: initiatorAddress, port: action.initiator.endpoint.port, isn: initialSequenceNumber(action.key, action.initiator.side) },
        { address: acceptorAddress, port: action.acceptor.endpoint.port, isn: initialSequenceNumber(action.key, action.acceptor.side) },
        mss[version],
      );
      const conversation: Conversation = {
        tcp,
        endOf: { [action.initiator.side]: 'initiator', [action.acceptor.side]: 'acceptor' } as Record<Side, TcpEnd>,
        lastT: action.t,
        fillerSent: { client: 0, server: 0 },
      };
      conversations.set(action.key, conversation);
      connections.push({
        channel: action.channel,
        initiatorSide: action.initiator.side,
        ...(action.setUpBy ? { setUpBy: action.setUpBy } : {}),
        initiator: action.initiator.endpoint,
        acceptor: action.acceptor.endpoint,
        ipVersion: version,
      });
      emit(conversation, tcp.open(), action.t, commentOf(action));
      continue;
    }
    const conversation = conversations.get(action.key);
    if (!conversation) {
      const known = unshown.get(action.key);
      if (known) known.actions++;
      else unshown.set(action.key, { reason: 'the trace does not say who opened it, between which addresses', actions: 1 });
      continue;
    }
    const end = conversation.endOf[action.from];
    const refusal = conversation.tcp.refusal(end);
    if (refusal && !(action.kind === 'rst' && refusal === 'already sent FIN')) {
      leftOut.push(`${commentOf(action)}: not sent, ${refusal === 'reset' ? 'the connection was already reset' : `the ${action.from} had already sent FIN`}`);
      continue;
    }
    if (action.kind === 'bytes') sendBytes(conversation, action);
    else emit(conversation, action.kind === 'fin' ? conversation.tcp.fin(end) : conversation.tcp.reset(end), action.t, commentOf(action));
  }

  for (const [key, { reason, actions: count }] of unshown) {
    leftOut.push(`connection ${key}${count > 0 ? ` and ${count} record${count === 1 ? '' : 's'} of what it carried` : ''}: ${reason}`);
  }
  timed.sort((a, b) => a.t - b.t || a.order - b.order);
  return {
    packets: timed.map(({ t, segment, comment }) => ({ t, bytes: encodeIpTcpPacket(segment), ...(comment ? { comment } : {}) })),
    connections,
    fillerBytes,
    mss,
    leftOut,
    bytesMoved,
  };
}
