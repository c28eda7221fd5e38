// A packet capture on the loopback interface around a session, read back with tshark: what really
// crossed the wire on each TCP connection (SYN, payload segments, FIN, RST, in wire order), so a test
// can hold the trace against it.
//
// dumpcap captures `tcp and host 127.0.0.1` on `lo` and writes pcap to its stdout (a pipe, which it
// flushes after every packet); we copy that into a temporary file and watch it as it arrives. The
// capture counts as running only once a probe connection of our own shows up in it (dumpcap prints
// "Capturing on" before it opens the interface, so that line alone proves nothing); stop() sends a
// second probe and waits for it too, so every packet before it (the whole session) is in the file
// before dumpcap is told to stop. Then `tshark -r` dissects the file.
//
// The data ports of a session are not known in advance: by default everything TCP on 127.0.0.1 is
// captured (a caller that knows a port window passes a narrower filter), and the caller picks the
// connections it cares about by their 4-tuple (connections() returns them all).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './runProcess.js';

const MISSING_HINT = 'apt-get install tshark (it brings dumpcap), and capture as root or with CAP_NET_RAW';

/** Whether dumpcap and tshark can be run at all; `reason` says what is missing. */
export function captureToolsAvailable(): { ok: true } | { ok: false; reason: string } {
  for (const tool of ['dumpcap', 'tshark']) {
    const probe = spawnSync(tool, ['-v'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.error) return { ok: false, reason: `${tool} not found (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); ${MISSING_HINT}` };
  }
  return { ok: true };
}

/** "127.0.0.1:2121" */
export type EndpointKey = string;

export const endpointKey = (e: { host: string; port: number }): EndpointKey => `${e.host}:${e.port}`;

/** One TCP segment as tshark dissected it. */
export interface WireSegment {
  /** Frame number in the capture (1-based): the wire's order. */
  readonly frame: number;
  /** Seconds since the first packet of the capture. */
  readonly time: number;
  readonly from: EndpointKey;
  readonly to: EndpointKey;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  /** Payload bytes (tcp.len). */
  readonly len: number;
  /** Relative sequence number (tshark: relative to the connection's first sequence number). */
  readonly seq: number;
  /** The payload bytes, when the capture kept them. */
  readonly payload: Buffer;
}

/** What a connection did on the wire, in frame order. ACK-only segments are counted, not listed. */
export type WireFact =
  | { readonly kind: 'syn' | 'syn-ack'; readonly frame: number; readonly time: number; readonly from: EndpointKey }
  | {
      readonly kind: 'data';
      readonly frame: number;
      readonly time: number;
      readonly from: EndpointKey;
      readonly len: number;
      readonly seq: number;
      readonly payload: Buffer;
      /** Sequence space already covered by an earlier segment (a retransmission). */
      readonly retransmission: boolean;
    }
  | { readonly kind: 'fin' | 'rst'; readonly frame: number; readonly time: number; readonly from: EndpointKey };

export interface WireConnection {
  /** The side that sent the SYN (or, if the SYN was not captured, the sender of the first segment). */
  readonly initiator: EndpointKey;
  readonly acceptor: EndpointKey;
  /** Whether the SYN is in the capture (false: the connection started before the capture did). */
  readonly synSeen: boolean;
  readonly facts: readonly WireFact[];
  /** Segments without payload, SYN, FIN or RST: pure ACKs and window updates, per sender. */
  readonly ackOnly: Readonly<Record<EndpointKey, number>>;
  /** Every segment of the connection, ACK-only ones included. */
  readonly segments: readonly WireSegment[];
}

/** Payload bytes `from` sent on `conn`, retransmissions counted once. */
export function payloadBytes(conn: WireConnection, from: EndpointKey): number {
  return conn.facts.reduce((n, f) => (f.kind === 'data' && f.from === from && !f.retransmission ? n + f.len : n), 0);
}

/** The byte stream `from` sent on `conn`, in sequence order, retransmissions once. */
export function payloadStream(conn: WireConnection, from: EndpointKey): Buffer {
  return Buffer.concat(conn.facts.flatMap((f) => (f.kind === 'data' && f.from === from && !f.retransmission ? [f.payload] : [])));
}

/** The capture's connections whose endpoints are `a` and `b` (either direction). */
export function connectionsBetween(conns: readonly WireConnection[], a: EndpointKey, b: EndpointKey): WireConnection[] {
  return conns.filter((c) => (c.initiator === a && c.acceptor === b) || (c.initiator === b && c.acceptor === a));
}

export interface Capture {
  /** The pcap file (complete only after stop()). */
  readonly file: string;
  /** Ends the capture once everything sent so far is in the file; the file stays until dispose(). */
  stop(): Promise<void>;
  /** stop(), then tshark's reading of the file, grouped by TCP connection (only segments to or from `ports`, if given). */
  connections(opts?: ReadOptions): Promise<WireConnection[]>;
  /** dumpcap's stderr so far (for failure messages). */
  stderr(): string;
  /** What dumpcap counted once stopped: packets it received and dropped (undefined before it says). */
  stats(): { received: number; dropped: number } | undefined;
  /** Kills dumpcap if it still runs, closes the probe listener, deletes the file. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface CaptureOptions {
  /**
   * libpcap capture filter; default 'tcp and host 127.0.0.1' (everything on loopback). A narrower one
   * (the session's ports) keeps other traffic on lo out of the kernel's capture buffer, so a busy
   * loopback cannot make dumpcap drop the session's packets. The probe connections are added to it.
   */
  readonly filter?: string;
  /** How long to wait for dumpcap to show the start probe (default 10 s). */
  readonly readyTimeoutMs?: number;
}

/** Starts dumpcap on `lo` and resolves once it demonstrably captures (a probe connection is in it). */
export async function startCapture(opts: CaptureOptions = {}): Promise<Capture> {
  const dir = await mkdtemp(join(tmpdir(), 'ftp-lab-capture-'));
  const file = join(dir, 'lo.pcap');
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;

  // The probes connect to a listener of our own, so they never reach anyone else's server.
  const probeServer: Server = createServer((s) => {
    s.on('error', () => undefined);
    s.resume();
    s.end();
  });
  await new Promise<void>((resolve, reject) => {
    probeServer.once('error', reject);
    probeServer.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const probePort = (probeServer.address() as { port: number }).port;
  const filter = `(${opts.filter ?? 'tcp and host 127.0.0.1'}) or (tcp and host 127.0.0.1 and port ${probePort})`;

  let child: ChildProcess | undefined;
  let out: WriteStream | undefined;
  let err = '';
  let exited = false;
  let closed: Promise<void> = Promise.resolve();
  const watcher = new PcapPortWatcher();
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };

  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposed ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child && !exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
        await closed;
        clearTimeout(timer);
      }
      await closeStream(out);
      await new Promise<void>((resolve) => probeServer.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    out = createWriteStream(file);
    // -B: a kernel buffer bigger than the default 2 MiB, for bursts; -P: pcap, which the watcher reads.
    const proc = spawn('dumpcap', ['-i', 'lo', '-f', filter, '-B', '16', '-P', '-w', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    process.once('exit', killOnExit);
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', (e) => reject(new Error(`cannot start dumpcap (${e.message}); ${MISSING_HINT}`)));
    });
    closed = new Promise<void>((resolve) => proc.once('close', () => resolve()));
    void closed.then(() => (exited = true));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    proc.stdout!.on('data', (chunk: Buffer) => {
      out!.write(chunk);
      watcher.push(chunk);
    });
    await spawned;

    // Probe until one probe is in the capture: from then on, everything on lo is.
    const deadline = Date.now() + readyTimeoutMs;
    // Any probe counts, also one that shows up late (dumpcap may hand packets on in batches).
    const sent: number[] = [];
    let ready = false;
    while (!ready) {
      if (exited) throw new Error(`dumpcap exited before it captured anything.\nstderr:\n${err}`);
      if (Date.now() > deadline) throw new Error(`dumpcap did not capture a probe connection within ${readyTimeoutMs} ms.\nstderr:\n${err}`);
      sent.push(await probe(probePort));
      ready = await watcher.waitFor(sent, probePort, 200);
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (exited) throw new Error(`dumpcap ended before stop() (the capture is incomplete).\nstderr:\n${err}`);
      // The end probe: once it is in the file, so is everything sent before it.
      const localPort = await probe(probePort);
      const seen = await watcher.waitFor([localPort], probePort, 10_000);
      process.removeListener('exit', killOnExit);
      child!.kill('SIGINT');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
      await closed;
      clearTimeout(timer);
      await closeStream(out);
      if (!seen) throw new Error(`the end probe never showed up in the capture: packets sent at the end of the session may be missing.\nstderr:\n${err}`);
    })());

  return {
    file,
    stop,
    stderr: () => err,
    stats() {
      const m = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(err);
      return m ? { received: Number(m[1]), dropped: Number(m[2]) } : undefined;
    },
    dispose,
    async connections(readOpts?: ReadOptions) {
      await stop();
      return readConnections(file, readOpts);
    },
  };
}

/** One probe connection to the probe listener: resolves with its local port once it is closed again. */
function probe(port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let local = 0;
    socket.once('connect', () => {
      local = socket.localPort ?? 0;
      socket.end();
    });
    socket.on('data', () => undefined);
    socket.once('error', reject);
    socket.once('close', () => resolve(local));
  });
}

function closeStream(stream: WriteStream | undefined): Promise<void> {
  if (!stream || stream.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    stream.end(() => resolve());
  });
}

/**
 * Reads the pcap stream as it arrives, just far enough to see TCP ports: which (source port,
 * destination port) pairs have been captured so far.
 */
class PcapPortWatcher {
  private pending: Buffer = Buffer.alloc(0);
  private header: { little: boolean; linkType: number } | undefined;
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<() => void>();

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.header) {
      if (this.pending.length < 24) return;
      const magic = this.pending.readUInt32LE(0);
      const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
      this.header = { little, linkType: little ? this.pending.readUInt32LE(20) : this.pending.readUInt32BE(20) };
      this.pending = this.pending.subarray(24);
    }
    const { little } = this.header;
    while (this.pending.length >= 16) {
      const inclLen = little ? this.pending.readUInt32LE(8) : this.pending.readUInt32BE(8);
      if (this.pending.length < 16 + inclLen) break;
      this.packet(this.pending.subarray(16, 16 + inclLen));
      this.pending = this.pending.subarray(16 + inclLen);
    }
    // Keep no reference to the big chunk once it is consumed.
    if (this.pending.length > 0) this.pending = Buffer.from(this.pending);
    for (const wake of [...this.waiters]) wake();
  }

  private packet(frame: Buffer): void {
    const ipAt = linkHeaderLength(this.header!.linkType, frame);
    if (ipAt === undefined || frame.length < ipAt + 20) return;
    if (frame[ipAt]! >> 4 !== 4 || frame[ipAt + 9] !== 6) return;
    const tcpAt = ipAt + (frame[ipAt]! & 0x0f) * 4;
    if (frame.length < tcpAt + 4) return;
    this.seen.add(`${frame.readUInt16BE(tcpAt)}>${frame.readUInt16BE(tcpAt + 2)}`);
  }

  /** Resolves true once a segment from one of the ports `from` to port `to` has been captured, false after `timeoutMs`. */
  waitFor(from: readonly number[], to: number, timeoutMs: number): Promise<boolean> {
    const has = (): boolean => from.some((port) => this.seen.has(`${port}>${to}`));
    if (has()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (has()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** Where the IPv4 header starts in a frame of this pcap link type (undefined: not IPv4 or unknown). */
function linkHeaderLength(linkType: number, frame: Buffer): number | undefined {
  switch (linkType) {
    case 1: // Ethernet: what Linux gives for lo
      return frame.length >= 14 && frame.readUInt16BE(12) === 0x0800 ? 14 : undefined;
    case 113: // Linux cooked (SLL)
      return frame.length >= 16 && frame.readUInt16BE(14) === 0x0800 ? 16 : undefined;
    case 276: // Linux cooked v2 (SLL2)
      return frame.length >= 20 && frame.readUInt16BE(0) === 0x0800 ? 20 : undefined;
    case 0: // BSD loopback
      return 4;
    case 101: // raw IP
    case 12:
      return 0;
    default:
      return undefined;
  }
}

const FIELDS = [
  'frame.number',
  'frame.time_relative',
  'ip.src',
  'tcp.srcport',
  'ip.dst',
  'tcp.dstport',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.flags.fin',
  'tcp.flags.reset',
  'tcp.len',
  'tcp.seq',
  // IPv6 packets have these instead of ip.src and ip.dst.
  'ipv6.src',
  'ipv6.dst',
  // Last: left out when the payload is not wanted.
  'tcp.payload',
] as const;

const flag = (s: string | undefined): boolean => s === '1' || s === 'True' || s === 'true';

export interface ReadOptions {
  /** Only segments to or from these TCP ports (a display filter: less for tshark to print). */
  readonly ports?: readonly number[];
  /** false: leave the payload bytes out (`payload` empty), for captures of many megabytes. Default true. */
  readonly payload?: boolean;
}

/** tshark's reading of a capture file: every TCP segment in frame order. */
export async function readSegments(file: string, opts: ReadOptions = {}): Promise<WireSegment[]> {
  const ports = [...new Set(opts.ports ?? [])];
  const args = [
    '-n',
    '-r',
    file,
    '-o',
    'tcp.relative_sequence_numbers:TRUE',
    '-o',
    'tcp.desegment_tcp_streams:FALSE',
    '-Y',
    // `a || b` rather than `in {…}`, whose separator changed between tshark versions.
    ports.length > 0 ? ports.map((p) => `tcp.port == ${p}`).join(' || ') : 'tcp',
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=f',
    ...FIELDS.filter((f) => opts.payload !== false || f !== 'tcp.payload').flatMap((f) => ['-e', f]),
  ];
  const result = await runProcess('tshark', args, { timeoutMs: 30_000, missingHint: MISSING_HINT });
  // A last packet cut short (dumpcap killed mid-write) comes after the end probe: what precedes it is whole.
  if (result.code !== 0 && !/cut short in the middle of a packet/.test(result.stderr)) {
    throw new Error(`tshark -r ${file} exited with ${result.code}:\n${result.stderr}`);
  }
  const segments: WireSegment[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [frame, time, src4, sport, dst4, dport, syn, ack, fin, rst, len, seq, src6, dst6, payload] = line.split('\t');
    const src = src4 || src6;
    const dst = dst4 || dst6;
    if (!src || !sport || !dst || !dport) continue;
    segments.push({
      frame: Number(frame),
      time: Number(time),
      from: `${src}:${sport}`,
      to: `${dst}:${dport}`,
      syn: flag(syn),
      ack: flag(ack),
      fin: flag(fin),
      rst: flag(rst),
      len: Number(len ?? 0),
      seq: Number(seq ?? 0),
      payload: Buffer.from((payload ?? '').replace(/:/g, ''), 'hex'),
    });
  }
  return segments;
}

/** Groups segments into connections by 4-tuple; a new SYN on a 4-tuple already seen starts a new connection. */
export function groupConnections(segments: readonly WireSegment[]): WireConnection[] {
  interface Building {
    initiator: EndpointKey;
    acceptor: EndpointKey;
    synSeen: boolean;
    facts: WireFact[];
    ackOnly: Record<EndpointKey, number>;
    segments: WireSegment[];
    /** Highest sequence number + length seen per sender, to tell retransmissions. */
    end: Map<EndpointKey, number>;
    finished: boolean;
  }
  const all: Building[] = [];
  const open = new Map<string, Building>();
  const tuple = (a: EndpointKey, b: EndpointKey) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  for (const s of segments) {
    const key = tuple(s.from, s.to);
    let conn = open.get(key);
    const freshSyn = s.syn && !s.ack;
    if (!conn || (freshSyn && conn.synSeen && conn.finished)) {
      conn = {
        initiator: freshSyn || !s.syn ? s.from : s.to,
        acceptor: freshSyn || !s.syn ? s.to : s.from,
        synSeen: s.syn,
        facts: [],
        ackOnly: {},
        segments: [],
        end: new Map(),
        finished: false,
      };
      all.push(conn);
      open.set(key, conn);
    }
    conn.segments.push(s);
    const at = { frame: s.frame, time: s.time, from: s.from };
    if (s.syn) conn.facts.push({ kind: s.ack ? 'syn-ack' : 'syn', ...at });
    if (s.len > 0) {
      const end = conn.end.get(s.from) ?? 0;
      conn.facts.push({ kind: 'data', ...at, len: s.len, seq: s.seq, payload: s.payload, retransmission: s.seq + s.len <= end });
      conn.end.set(s.from, Math.max(end, s.seq + s.len));
    }
    // A FIN carried with payload comes after that payload in sequence space.
    if (s.fin) conn.facts.push({ kind: 'fin', ...at });
    if (s.rst) conn.facts.push({ kind: 'rst', ...at });
    if (s.fin || s.rst) conn.finished = true;
    if (!s.syn && !s.fin && !s.rst && s.len === 0) conn.ackOnly[s.from] = (conn.ackOnly[s.from] ?? 0) + 1;
  }
  return all.map(({ initiator, acceptor, synSeen, facts, ackOnly, segments: segs }) => ({ initiator, acceptor, synSeen, facts, ackOnly, segments: segs }));
}

/** tshark's reading of the capture, grouped by TCP connection. */
export async function readConnections(file: string, opts?: ReadOptions): Promise<WireConnection[]> {
  return groupConnections(await readSegments(file, opts));
}
