// A trace as a pcapng file for Wireshark: the rebuilt packets on one raw-IP interface, and a Section Header
// comment that says what was rebuilt from the trace, what was made up, and how to make Wireshark see FTP.

import type { TraceFile } from '../trace/traceEvent';
import { pcapngFile } from './pcapngWriter';
import { plural } from './plural';
import { LinkType } from './pcapng.table';
import { traceToPackets, FILLER_TEXT, type RebuiltCapture } from './traceToPackets';
import { UNSCALED_MAX_WINDOW, IPV4, IPV6 } from './tcpIp.table';

/**
 * The ports Wireshark's FTP dissectors claim by themselves: FTP on 21, FTP-DATA on 20. From an FTP control
 * connection it also follows PASV, EPSV and EPRT to their data connections, but after PORT it expects the
 * server's data connection from port 20 (packet-ftp.c, create_and_link_data_conversation).
 */
const WIRESHARK_PORTS = { ftp: 21, ftpData: 20 } as const;

/** What to tell Wireshark (and tshark) so it decodes the FTP of this file, if anything. */
function decodeAsAdvice(connections: RebuiltCapture['connections']): string[] {
  const control = [...new Set(connections.filter((c) => c.channel === 'control').map((c) => c.acceptor.port))].filter((p) => p !== WIRESHARK_PORTS.ftp);
  const afterPort = connections.filter((c) => c.channel === 'data' && c.initiatorSide === 'server' && (c.setUpBy ?? 'PORT') === 'PORT');
  const active = [...new Set(afterPort.map((c) => c.initiator.port))].filter((p) => p !== WIRESHARK_PORTS.ftpData);
  const advice: string[] = [];
  if (control.length > 0) {
    advice.push(
      `Wireshark decodes FTP on port ${WIRESHARK_PORTS.ftp} only; the control connection here is on port ${control.join(', ')}: use Analyze > Decode As... TCP port ${control.join(', ')} as FTP (tshark ${control.map((p) => `-d tcp.port==${p},ftp`).join(' ')}). It then follows PASV, EPSV and EPRT to their data connections (FTP-DATA).`,
    );
  }
  if (active.length > 0) {
    advice.push(
      `After PORT Wireshark expects the server's data connection from port ${WIRESHARK_PORTS.ftpData}; here it comes from port ${active.join(', ')}: decode ${active.length === 1 ? 'that port' : 'those ports'} as FTP-DATA (tshark ${active.map((p) => `-d tcp.port==${p},ftp-data`).join(' ')}).`,
    );
  }
  return advice;
}

/** The file's comment: one paragraph for each of what it is, what is true to the trace, what is not, and how to read it. */
export function captureComment(trace: TraceFile, capture: RebuiltCapture): string {
  const { meta } = trace;
  const data = capture.connections.filter((c) => c.channel === 'data').length;
  const control = capture.connections.filter((c) => c.channel === 'control').length;
  const mss = Object.entries(capture.mss).map(([version, size]) => `${size} bytes over IPv${version}`);
  const ipHeaders = [
    ...(capture.mss[4] ? [`IPv4 ID ${IPV4.identification}, TTL ${IPV4.timeToLive}`] : []),
    ...(capture.mss[6] ? [`IPv6 hop limit ${IPV6.hopLimit}, no flow label`] : []),
  ];
  const paragraphs = [
    `Rebuilt by ${meta.tool} from a trace, not captured from the wire: ${meta.title ?? meta.scenario ?? 'an FTP session'}${meta.scenario ? ` (scenario ${meta.scenario})` : ''}, recorded ${meta.createdAt}.`,
    `From the trace: ${plural(control, 'control connection')} and ${plural(data, 'data connection')}, each with its three-way handshake, addresses and ports; every command and reply on the control connection as the trace has its lines, re-encoded with RFC 959 §4.2 framing and CRLF line ends (a server's own spacing or bare-LF line ends are not kept)${meta.passwordsMasked ? ' (the password as the trace has it: masked)' : ''}; each data transfer's length as recorded (what the receiver counted, where both sides did); each FIN and RST from the side that sent it; times: the trace's time of each record after ${meta.createdAt}, a transfer's segments spread over its recorded duration.`,
    [
      `Not from the trace: the payload bytes of the data connections are filler ("${FILLER_TEXT.trim()}" repeated; ${capture.fillerBytes} bytes), as a trace keeps counts, not content (BLOCK and COMPRESSED headers are counted, not reproduced)`,
      'ACKs are synthesized: the peer acknowledges each segment at once (no delayed ACKs)',
      'the initial sequence numbers are made up',
      `window sizes are a constant ${UNSCALED_MAX_WINDOW} (no window scaling)`,
      `segments carry at most the loopback MSS${mss.length > 0 ? ` (${mss.join(', ')})` : ''}`,
      `no TCP options but the MSS on SYNs${ipHeaders.length > 0 ? `; ${ipHeaders.join('; ')}` : ''}.`,
    ].join('; '),
  ];
  if (capture.bytesMoved > 0) {
    const n = capture.bytesMoved;
    paragraphs.push(
      `${plural(n, 'transfer')} recorded after the FIN or RST of ${n === 1 ? 'its' : 'their'} own sender (by a receiver that saw the close first) ${n === 1 ? 'is' : 'are'} sent before it, as on the wire.`,
    );
  }
  if (capture.leftOut.length > 0) paragraphs.push(`Left out: ${capture.leftOut.join('; ')}.`);
  paragraphs.push(...decodeAsAdvice(capture.connections));
  return paragraphs.join('\n\n');
}

/** Microseconds since 1970 at the session's start: meta.createdAt, or 0 when it is not a date. */
function startMicroseconds(createdAt: string): number {
  const ms = Date.parse(createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ms * 1000 : 0;
}

/** The trace as a pcapng file: one section, one raw-IP interface, the rebuilt packets in time order. */
export function tracePcapng(trace: TraceFile): Uint8Array {
  const capture = traceToPackets(trace.events);
  const start = startMicroseconds(trace.meta.createdAt);
  return pcapngFile(
    { comment: captureComment(trace, capture), application: trace.meta.tool },
    [{ linkType: LinkType.raw, name: 'ftp-lab', description: 'packets rebuilt from an FTP Lab trace (raw IPv4/IPv6)' }],
    capture.packets.map((packet) => ({
      interfaceId: 0,
      timestamp: start + Math.round(packet.t * 1000),
      data: packet.bytes,
      ...(packet.comment ? { comment: packet.comment } : {}),
    })),
  );
}
