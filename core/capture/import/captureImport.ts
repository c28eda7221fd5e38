// A packet capture (pcap or pcapng) turned into an ordinary trace: every FTP session in it, one session
// number each as `serve` traces have them, its commands, replies, data connections, transfers, FIN and RST
// in the wire's order, and in meta.capture what could not be reconstructed.
//
// Two passes over the packets. The first only surveys each TCP connection's ends and first bytes, to find
// the control connections (ftpDetection.ts) before any event is written, so a session found by its content
// gets its handshake recorded too. The second follows those connections, and the data connections their
// sessions announce, in the capture's order.

import { formatIpAddress } from '../ipAddress';
import { TraceRecorder } from '../../trace/traceRecorder';
import { createTraceFile } from '../../trace/traceFile';
import { endpointText } from '../../trace/endpointText';
import type { Endpoint, Side, TraceEventInput, TraceFile } from '../../trace/traceEvent';
import { plural } from '../plural';
import { CaptureError, type CapturedPacket } from './capturedPacket';
import { readCapture, type CaptureFormat } from './captureReader';
import { controlServerEnd, SAMPLE_BYTES, type ConnectionSample } from './ftpDetection';
import { FtpSessionReader, type DataLink } from './ftpSessionReader';
import { ImportNotes } from './importNotes';
import { decodeIpTcp, type CapturedSegment } from './ipTcpDecoder';
import { locateIp } from './linkFrame';
import { flowKey, TcpConnections, type ConnectionEvent, type TcpConnection } from './tcpConnections';

/** TCP connections the survey keeps apart at most; a capture with more (a scan, a flood) has the rest counted. */
export const MAX_SURVEYED_CONNECTIONS = 100_000;

export interface CaptureImportOptions {
  /** The capture's file name, for meta and the title. */
  readonly fileName: string;
  readonly tool: string;
  readonly now?: Date;
}

/** What a connection is to the import: one session's control connection, or one of its data connections. */
type Role =
  | { readonly kind: 'control'; readonly session: FtpSessionReader; readonly sides: readonly [Side, Side] }
  | { readonly kind: 'data'; readonly session: FtpSessionReader; readonly link: DataLink };

interface DecodedTcp {
  readonly segment: CapturedSegment;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly key: string;
}

/** The TCP segment in a packet, or undefined (counted in `notes` by why). */
function tcpOf(packet: CapturedPacket, notes: ImportNotes | undefined): DecodedTcp | undefined {
  const located = locateIp(packet.linkType, packet.data);
  if ('skip' in located) {
    if (located.skip === 'link-type')
      notes?.count(
        `link-${packet.linkType}`,
        (n) => `${plural(n, 'packet')} of link type ${packet.linkType}, which this import does not read, ${n === 1 ? 'was' : 'were'} skipped.`,
      );
    else notes?.count('not-ip', (n) => `${plural(n, 'packet')} carried no IPv4 or IPv6 and ${n === 1 ? 'was' : 'were'} skipped.`);
    return undefined;
  }
  const decoded = decodeIpTcp(packet.data.subarray(located.ipAt), packet.originalLength - located.ipAt);
  if ('skip' in decoded) {
    if (decoded.skip === 'fragment')
      notes?.count('fragment', (n) => `${plural(n, 'IP fragment')} ${n === 1 ? 'was' : 'were'} not reassembled and ${n === 1 ? 'was' : 'were'} skipped.`);
    else if (decoded.skip === 'no-length')
      notes?.count(
        'no-length',
        (n) =>
          `${plural(n, 'packet')} gave an IP length of 0 (as segmentation offload does) but ${n === 1 ? 'was' : 'were'} not captured whole, so ${n === 1 ? 'its' : 'their'} length is unknown: skipped.`,
      );
    else if (decoded.skip !== 'not-tcp')
      notes?.count('bad-ip', (n) => `${plural(n, 'packet')} ${n === 1 ? 'was' : 'were'} too short or malformed to read as TCP, and skipped.`);
    return undefined;
  }
  const { segment } = decoded;
  const source = { host: formatIpAddress(segment.source), port: segment.sourcePort };
  const destination = { host: formatIpAddress(segment.destination), port: segment.destinationPort };
  return { segment, source, destination, key: flowKey(source, destination) };
}

/** Pass one: each TCP connection's ends and the first bytes each end sent. */
function survey(packets: Iterable<CapturedPacket>, notes: ImportNotes): { samples: Map<string, ConnectionSample>; packets: number } {
  const samples = new Map<string, ConnectionSample>();
  let count = 0;
  for (const packet of packets) {
    count += 1;
    const tcp = tcpOf(packet, notes);
    if (!tcp || tcp.segment.payload.length === 0) {
      if (tcp && !samples.has(tcp.key) && samples.size < MAX_SURVEYED_CONNECTIONS)
        samples.set(tcp.key, { ends: [tcp.source, tcp.destination], first: [undefined, undefined] });
      continue;
    }
    let sample = samples.get(tcp.key);
    if (!sample) {
      if (samples.size >= MAX_SURVEYED_CONNECTIONS) {
        notes.count(
          'too-many',
          (n) => `${plural(n, 'packet')} of connections beyond the first ${MAX_SURVEYED_CONNECTIONS} ${n === 1 ? 'was' : 'were'} not looked at.`,
        );
        continue;
      }
      sample = { ends: [tcp.source, tcp.destination], first: [undefined, undefined] };
      samples.set(tcp.key, sample);
    }
    const from = endpointText(sample.ends[0]) === endpointText(tcp.source) ? 0 : 1;
    sample.first[from] ??= tcp.segment.payload.slice(0, SAMPLE_BYTES);
  }
  return { samples, packets: count };
}

/** Turns the bytes of a capture file into a trace; throws CaptureError when there is nothing to turn. */
export function importCapture(bytes: Uint8Array, options: CaptureImportOptions): TraceFile {
  const notes = new ImportNotes();
  let format: CaptureFormat;
  let surveyed: ReturnType<typeof survey>;
  try {
    const opened = readCapture(bytes, notes);
    format = opened.format;
    surveyed = survey(opened.packets, notes);
  } catch (error) {
    if (error instanceof CaptureError) throw new CaptureError(`${options.fileName}: ${error.message}`);
    throw error;
  }
  const servers = new Map<string, string>();
  for (const [key, sample] of surveyed.samples) {
    const end = controlServerEnd(sample);
    if (end !== undefined) servers.set(key, endpointText(sample.ends[end]));
  }
  if (servers.size === 0) {
    const found =
      surveyed.packets === 0
        ? 'it holds no packets'
        : `its ${plural(surveyed.packets, 'packet')} hold ${plural(surveyed.samples.size, 'TCP connection')}, none on port 21 or speaking FTP`;
    throw new CaptureError(`${options.fileName}: no FTP session in this capture: ${found}.`);
  }

  // Pass two. The clock is the capture's; the recorder starts at the first event, so t counts from there.
  let clock = 0;
  let recorder: TraceRecorder | undefined;
  /** The one recorder: seq, time and connection ids, made at the first event so that its t is 0. */
  const trace = () => (recorder ??= new TraceRecorder(() => clock));
  const record = (event: TraceEventInput): void => void trace().record(event);
  const sessions: FtpSessionReader[] = [];
  const tracker = new TcpConnections();

  const newSession = (conn: TcpConnection, serverKey: string): Role => {
    const serverEnd = endpointText(conn.ends[0]) === serverKey ? 0 : 1;
    const number = sessions.length + 1;
    const client = conn.ends[serverEnd === 0 ? 1 : 0];
    const server = conn.ends[serverEnd];
    const session = new FtpSessionReader(number, trace().claimConnection('control', client, server), client, server, {
      emit: (event) => record({ ...event, session: number }),
      now: () => clock,
      notes,
      listenerId: () => trace().listenerId(),
      dataConnectionId: (a, b) => trace().claimConnection('data', a, b),
    });
    sessions.push(session);
    const sides: [Side, Side] = serverEnd === 0 ? ['server', 'client'] : ['client', 'server'];
    return { kind: 'control', session, sides };
  };

  /** Whether a connection not yet followed is one to follow, and as what. */
  const adopt = (tcp: DecodedTcp, syn: boolean, conn: TcpConnection): Role | undefined => {
    for (const session of sessions) {
      const listenerEnd = session.listenerOf(conn.ends, syn);
      if (listenerEnd !== undefined) return { kind: 'data', session, link: session.openData(conn.ends, listenerEnd) };
    }
    const serverKey = servers.get(tcp.key);
    return serverKey === undefined ? undefined : newSession(conn, serverKey);
  };

  const dispatch = (event: ConnectionEvent): void => {
    const role = event.conn.tag as Role;
    const { session } = role;
    const side = role.kind === 'control' ? role.sides[event.from] : role.link.sides[event.from];
    if (role.kind === 'control') {
      if (event.kind === 'syn' || event.kind === 'syn-ack') session.controlHandshake(event.kind);
      else if (event.kind === 'bytes') session.controlBytes(side, event.bytes);
      else if (event.kind === 'gap') session.controlGap(side, event.length);
      else if (event.kind === 'fin') session.controlFin(side);
      else session.controlRst(side);
    } else {
      const { link } = role;
      if (event.kind === 'syn' || event.kind === 'syn-ack') session.dataHandshake(link, event.kind, event.conn.ends);
      else if (event.kind === 'bytes') session.dataBytes(link, side, event.bytes);
      else if (event.kind === 'gap') session.dataGap(link, side, event.length);
      else if (event.kind === 'fin') session.dataFin(link, side);
      else session.dataRst(link, side);
    }
    if ((event.kind === 'fin' || event.kind === 'rst') && (event.conn.reset || (event.conn.finSent[0] && event.conn.finSent[1]))) {
      const id = role.kind === 'control' ? session.control : role.link.id;
      if (role.kind === 'data') role.link.closed = true;
      session.closed(role.kind, id);
      trace().releaseConnection(role.kind, event.conn.ends[0], event.conn.ends[1]);
    }
  };

  for (const packet of readCapture(bytes, new ImportNotes()).packets) {
    const tcp = tcpOf(packet, undefined);
    if (!tcp) continue;
    clock = packet.timeMs;
    const known = tracker.find(tcp.key);
    let fresh: TcpConnection | undefined;
    const events = tracker.segment(tcp.key, tcp.source, tcp.destination, tcp.segment, (syn, conn) => {
      const role = adopt(tcp, syn, conn);
      if (role) {
        conn.tag = role;
        fresh = conn;
      }
      return role !== undefined;
    });
    if (fresh && !fresh.synSeen && fresh !== known) {
      const role = fresh.tag as Role;
      if (role.kind === 'control') role.session.controlOpenBefore();
      else notes.say(`Data connection ${role.link.id} was already open when the capture started: its first bytes may be missing.`);
    }
    events.forEach(dispatch);
  }
  tracker.finish().forEach(dispatch);
  for (const conn of tracker.connections()) {
    const role = conn.tag as Role | undefined;
    if (!role || conn.reset || (conn.finSent[0] && conn.finSent[1])) continue;
    const id = role.kind === 'control' ? role.session.control : role.link.id;
    notes.say(`${id} (session ${role.session.number}) was still open when the capture ended: how it closed is not in the capture.`);
  }
  for (const session of sessions) session.end();
  const followed = new Set([...tracker.connections()].filter((c) => c.tag !== undefined).map((c) => flowKey(c.ends[0], c.ends[1])));
  const others = [...surveyed.samples.keys()].filter((key) => !followed.has(key)).length;
  if (others > 0)
    notes.say(
      `${plural(others, 'other TCP connection')} in the capture ${others === 1 ? 'is' : 'are'} not part of any FTP session found here (or ${others === 1 ? 'its' : 'their'} PORT, EPRT, 227 or 229 came before the capture started).`,
    );
  for (const conn of tracker.connections()) {
    const lost = conn.streams[0].lostBytes + conn.streams[1].lostBytes;
    const before = conn.streams[0].bytesBeforeStart + conn.streams[1].bytesBeforeStart;
    const role = conn.tag as Role | undefined;
    if (!role) continue;
    const id = role.kind === 'control' ? role.session.control : role.link.id;
    if (lost > 0) notes.say(`${id}: ${plural(lost, 'byte')} in all are missing from the capture (gaps in the TCP sequence).`);
    if (before > 0) notes.say(`${id}: ${plural(before, 'byte')} belong to before the capture's first segment of it and were left out.`);
  }

  const meta = {
    createdAt: (options.now ?? new Date()).toISOString(),
    tool: options.tool,
    title: `Imported from ${options.fileName}`,
    passwordsMasked: true,
    capture: { file: options.fileName, format, packets: surveyed.packets, sessions: sessions.length, notReconstructed: notes.sentences },
  };
  return createTraceFile(meta, recorder?.events ?? []);
}
