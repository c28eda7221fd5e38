// The trace against the wire: our client and our server transfer a small file on 127.0.0.1 while
// dumpcap captures loopback, and for each data connection the order the trace records is held
// against the order the packets really travelled (design.md, Contracts: "Order is the wire's order
// on every path: the bytes of a data connection are recorded before the FIN or EOF marker that ends
// them"). STOR and RETR x PORT and PASV x MODE S, B and C.
//
// The server listens in a port window of its own (control, passive and active-mode data ports), and
// dumpcap captures only that window, so other traffic on lo (parallel test files) cannot crowd the
// session's packets out of the capture buffer. Each row checks, per data connection: who sent the
// first FIN; that the payload precedes the FIN on the wire and that each side's data.transfer row
// precedes its record of the FIN (STREAM) or EOF marker (BLOCK/COMPRESSED) that ends it; the payload
// bytes on the wire against data.transfer `bytes`; and who closes (STREAM: the sender, at once;
// BLOCK/COMPRESSED: nobody before QUIT). Failures print the trace and the wire side by side.
//
// Whose record is whose: every event is recorded by `side`, except tcp.fin/tcp.rst, where `side` is
// the side that SENT it and `dir: 'received'` marks the peer's record of it (traceEvent.ts). So the
// receiver's own record of the sender's FIN is { type: 'tcp.fin', side: <sender>, dir: 'received' }.

import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientOutput } from '../../core/machines/clientSession.machine';
import { findBuiltinScenario } from '../../core/scenarios/builtinScenarios';
import { resolveScenario, settingsFor } from '../../core/scenarios/scenario';
import type { Side, TraceEvent } from '../../core/trace/traceEvent';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import { runClientSession } from '../../main/session/clientSession';
import { startFtpServer, type FtpServer } from '../../main/session/ftpServer';
import { generateBytes } from '../../main/session/generatedContent';
import { createMemoryStore } from '../../main/store/memoryStore';
import type { FileStore } from '../../main/store/fileStore';
import { quietPortRange } from '../support/freePort.js';
import { trackHandles } from '../support/leaks.js';
import {
  captureToolsAvailable,
  connectionsBetween,
  endpointKey,
  payloadBytes,
  payloadStream,
  startCapture,
  type Capture,
  type EndpointKey,
  type WireConnection,
  type WireFact,
} from '../support/tshark.js';
import { otherSide } from '../../core/trace/sides';

const FILE = 'wire.bin';
const SIZE = 20 * 1024;
const tools = captureToolsAvailable();

let server: FtpServer | undefined;
let serverClosed: Promise<void> | undefined;
let capture: Capture | undefined;
let leaks: ReturnType<typeof trackHandles>;

const closeServer = (): Promise<void> => {
  const s = server;
  if (!s) return Promise.resolve();
  return (serverClosed ??= s.close());
};

beforeEach(() => {
  leaks = trackHandles();
  server = undefined;
  serverClosed = undefined;
  capture = undefined;
});

afterEach(async () => {
  try {
    await capture?.dispose();
  } finally {
    await closeServer();
  }
  await leaks.assertNoLeaks();
});

// ---------------------------------------------------------------------------------------------
// Reading the trace

/** The side whose record this is: tcp.fin/tcp.rst name the sender in `side`; `dir: 'received'` is the peer's record. */
function recordedBy(e: TraceEvent): Side {
  if ((e.type === 'tcp.fin' || e.type === 'tcp.rst') && e.dir === 'received') return otherSide(e.side);
  return e.side;
}

const connOf = (e: TraceEvent): string | undefined => ('conn' in e ? e.conn : undefined);

function describeEvent(e: TraceEvent): string {
  const by = recordedBy(e);
  switch (e.type) {
    case 'tcp.connect':
    case 'tcp.accept':
      return `#${e.seq} ${by}: ${e.type} ${endpointKey(e.local)} -> ${endpointKey(e.remote)}`;
    case 'tcp.fin':
    case 'tcp.rst':
      return e.dir === 'sent'
        ? `#${e.seq} ${by}: ${e.type.slice(4).toUpperCase()} sent${e.reason ? ` (${e.reason})` : ''}`
        : `#${e.seq} ${by}: ${e.type.slice(4).toUpperCase()} of the ${e.side} received`;
    case 'data.transfer':
      return `#${e.seq} ${by}: data.transfer ${e.dir} ${e.bytes} B${e.keptOpen ? ' kept open' : ''}${e.complete ? '' : ' INCOMPLETE'}`;
    case 'data.marker':
      return `#${e.seq} ${by}: data.marker ${e.marker} ${e.dir} [${e.hex}] at ${e.offset}`;
    case 'tcp.close':
      return `#${e.seq} ${by}: tcp.close`;
    default:
      return `#${e.seq} ${by}: ${e.type}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the wire

function describeFact(f: WireFact, sideOf: (e: EndpointKey) => string): string {
  const who = sideOf(f.from);
  const at = `f${f.frame} ${(f.time * 1000).toFixed(1)}ms ${who}:`;
  switch (f.kind) {
    case 'data':
      return `${at} ${f.len} B payload${f.retransmission ? ' (retransmission)' : ''}`;
    default:
      return `${at} ${f.kind.toUpperCase()}`;
  }
}

/** Two columns, trace on the left, wire on the right, for failure messages. */
function sideBySide(title: string, trace: readonly string[], wire: readonly string[]): string {
  const width = Math.max(40, ...trace.map((l) => l.length)) + 2;
  const rows = [`${'TRACE'.padEnd(width)}| WIRE`, `${'-'.repeat(width)}+${'-'.repeat(40)}`];
  for (let i = 0; i < Math.max(trace.length, wire.length); i++) rows.push(`${(trace[i] ?? '').padEnd(width)}| ${wire[i] ?? ''}`);
  return `${title}\n${rows.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// One session

type Direction = 'upload' | 'download';

interface Row {
  direction: Direction;
  passive: boolean;
  mode: 'S' | 'B' | 'C';
}

function title({ direction, passive, mode }: Row): string {
  return `${direction === 'upload' ? 'STOR (upload)' : 'RETR (download)'}, ${passive ? 'passive (PASV)' : 'active (PORT)'}, MODE ${mode}`;
}

async function runSession(row: Row): Promise<{ output: ClientOutput; events: readonly TraceEvent[]; wire: WireConnection[]; note: string }> {
  const recorder = new TraceRecorder(() => performance.now());
  const store = createMemoryStore();
  if (row.direction === 'download') {
    const sink = await store.openWrite(`/${FILE}`, { kind: 'replace' });
    await new Promise<void>((resolve, reject) => {
      sink.once('error', reject);
      sink.end(generateBytes({ size: SIZE, text: false, seed: 9 }), () => resolve());
    });
  }
  const { ftp, window } = await startServerInWindow(store, recorder);
  const scenario = findBuiltinScenario(row.direction === 'upload' ? 'textbook-upload' : 'download');
  if (!scenario) throw new Error('built-in scenario missing');
  const steps = resolveScenario(
    scenario,
    settingsFor(scenario, { user: 'anonymous', password: 'guest', passive: row.passive, mode: row.mode, type: 'I', file: FILE, size: SIZE }),
  );

  capture = await startCapture({ filter: `tcp and host 127.0.0.1 and portrange ${window.min}-${window.max}` });
  const output = await runClientSession({ server: ftp.address, recorder, steps, sessionTimeoutMs: 10_000 });
  // Let the server's session finish its own closing (a stop() now could turn a FIN into a RST).
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(ftp.sessions.map((s) => s.done)), new Promise((r) => (timer = setTimeout(r, 3_000)))]);
  clearTimeout(timer);
  await closeServer();
  // tshark prints only the session's own connections (the capture also holds the probes, and whatever else used the window).
  const ports = recorder.events.flatMap((e) => (e.type === 'tcp.connect' || e.type === 'tcp.accept' ? [e.local.port, e.remote.port] : []));
  const wire = await capture.connections({ ports });
  const stats = capture.stats();
  const note = `capture of ports ${window.min}-${window.max}: ${stats ? `${stats.received} packets, ${stats.dropped} dropped` : 'no counts from dumpcap'}`;
  return { output, events: recorder.events, wire, note };
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Every port of the session's data and control connections on the server's side lies in one window
 * below the kernel's ephemeral range, so the capture filter can name it (and other traffic on lo stays
 * out of the capture): window.min is the server's active-mode data port (L-1, 959 §3.2), min+1 its
 * control port L, the rest its passive ports. The client's ports are ephemeral; each connection has
 * the server at one end, so the window catches them all.
 */
async function startServerInWindow(store: FileStore, recorder: TraceRecorder): Promise<{ ftp: FtpServer; window: { min: number; max: number } }> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const window = quietPortRange(64);
    if (!(await portFree(window.min))) continue;
    try {
      const ftp = await startFtpServer({
        store,
        recorder,
        anonymous: true,
        loginDelayMs: 0,
        port: window.min + 1,
        passivePorts: { min: window.min + 2, max: window.max },
      });
      server = ftp;
      return { ftp, window };
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError;
    }
  }
  throw new Error(`no free port window for the server after 5 tries${lastError ? `: ${lastError.message}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// The checks

interface Mapped {
  conn: string;
  /** The data connection's events, in trace order. */
  events: TraceEvent[];
  wire: WireConnection;
  sideOf: (e: EndpointKey) => Side | '?';
  endpoint: Record<Side, EndpointKey>;
  table: (title: string) => string;
}

/** Finds the wire connection a trace conn id stands for, from its tcp.connect/tcp.accept endpoints. */
function mapConnection(conn: string, events: readonly TraceEvent[], wire: readonly WireConnection[], note: string): Mapped {
  const own = events.filter((e) => connOf(e) === conn);
  const opens = own.filter((e): e is Extract<TraceEvent, { type: 'tcp.connect' | 'tcp.accept' }> => e.type === 'tcp.connect' || e.type === 'tcp.accept');
  const bySide = (side: Side) => opens.find((e) => e.side === side);
  const client = bySide('client');
  const server = bySide('server');
  const traceLines = own.map(describeEvent);
  if (!client || !server) {
    throw new Error(`${conn}: the trace needs a tcp.connect/tcp.accept from both sides to name the 4-tuple:\n${traceLines.join('\n')}`);
  }
  const endpoint = { client: endpointKey(client.local), server: endpointKey(server.local) };
  // The two sides' records of one connection must name the same 4-tuple.
  if (endpointKey(client.remote) !== endpoint.server || endpointKey(server.remote) !== endpoint.client) {
    throw new Error(`${conn}: client and server records name different 4-tuples:\n${traceLines.join('\n')}`);
  }
  const candidates = connectionsBetween(wire, endpoint.client, endpoint.server);
  if (candidates.length !== 1) {
    throw new Error(
      `${conn} (${endpoint.client} <-> ${endpoint.server}): expected exactly one connection in the capture, found ${candidates.length} ` +
        `(${note}; ${wire.length} connections read back)\n${traceLines.join('\n')}`,
    );
  }
  const found = candidates[0]!;
  const sideOf = (e: EndpointKey): Side | '?' => (e === endpoint.client ? 'client' : e === endpoint.server ? 'server' : '?');
  const wireLines = found.facts.map((f) => describeFact(f, sideOf));
  return {
    conn,
    events: own,
    wire: found,
    sideOf,
    endpoint,
    table: (t) => sideBySide(`${t}\n${conn}: client ${endpoint.client}, server ${endpoint.server} (${note})`, traceLines, wireLines),
  };
}

function checkDataConnection(m: Mapped, row: Row, events: readonly TraceEvent[], controlQuitFrame: number | undefined): void {
  const sender: Side = row.direction === 'upload' ? 'client' : 'server';
  const receiver = otherSide(sender);
  const framed = row.mode !== 'S';
  const { wire, events: own, table } = m;
  const facts = wire.facts;

  // Sanity of the mapping: the side the trace says connected sent the SYN.
  const connector = own.find((e) => e.type === 'tcp.connect')?.side;
  expect
    .soft(m.sideOf(wire.initiator), table(`the trace's tcp.connect is by the ${connector}, the wire's SYN by the ${m.sideOf(wire.initiator)}`))
    .toBe(connector);
  expect.soft(wire.synSeen, table('the capture has no SYN for this connection: it started before the capture')).toBe(true);
  expect.soft(facts.filter((f) => f.kind === 'rst').length, table('the wire has a RST on the data connection')).toBe(0);

  // 1. Who sent the first FIN.
  const wireFirstFin = facts.find((f) => f.kind === 'fin');
  const traceFirstFin = own.find((e) => e.type === 'tcp.fin');
  const wireFinBy = wireFirstFin ? m.sideOf(wireFirstFin.from) : 'nobody';
  const traceFinBy = traceFirstFin?.side ?? 'nobody';
  expect.soft(traceFinBy, table(`first FIN on the data connection: the trace says the ${traceFinBy} sent it, the wire says the ${wireFinBy}`)).toBe(wireFinBy);

  // 4. STREAM: the sender of the file closes; BLOCK/COMPRESSED: the connection stays open until the session ends.
  if (framed) {
    expect
      .soft(
        wireFirstFin === undefined || controlQuitFrame === undefined || wireFirstFin.frame > controlQuitFrame,
        table(
          `MODE ${row.mode}: the wire's first data FIN (frame ${wireFirstFin?.frame}) should come after QUIT on the control connection (frame ${controlQuitFrame})`,
        ),
      )
      .toBe(true);
    expect.soft(controlQuitFrame, 'QUIT not found on the wire of the control connection').toBeDefined();
    const quit = events.find((e) => e.type === 'ftp.command' && e.verb === 'QUIT');
    expect
      .soft(
        traceFirstFin === undefined || (quit !== undefined && traceFirstFin.seq > quit.seq),
        table(`MODE ${row.mode}: the trace's first data FIN (#${traceFirstFin?.seq}) should come after QUIT (#${quit?.seq})`),
      )
      .toBe(true);
  } else {
    expect.soft(wireFinBy, table(`MODE S: the sender of the file (${sender}) should close the data connection; on the wire the ${wireFinBy} did`)).toBe(sender);
  }

  // 3. Payload bytes: the sender's direction carries exactly what its data.transfer says; the other direction nothing.
  const wireSent = payloadBytes(wire, m.endpoint[sender]);
  const wireBack = payloadBytes(wire, m.endpoint[receiver]);
  const transferOf = (side: Side) =>
    own.filter((e): e is Extract<TraceEvent, { type: 'data.transfer' }> => e.type === 'data.transfer' && recordedBy(e) === side);
  for (const side of [sender, receiver]) {
    const transfers = transferOf(side);
    expect.soft(transfers.length, table(`the ${side} should record exactly one data.transfer on ${m.conn}, it recorded ${transfers.length}`)).toBe(1);
    const bytes = transfers[0]?.bytes;
    expect.soft(bytes, table(`${side}'s data.transfer says ${bytes} bytes; the wire carried ${wireSent} payload bytes from the ${sender}`)).toBe(wireSent);
    expect.soft(transfers[0]?.complete, table(`${side}'s data.transfer is not complete`)).toBe(true);
    if (framed) expect.soft(transfers[0]?.keptOpen, table(`MODE ${row.mode}: ${side}'s data.transfer should say keptOpen`)).toBe(true);
  }
  expect.soft(wireBack, table(`the ${receiver} (receiver) sent ${wireBack} payload bytes on the data connection`)).toBe(0);

  // 2a. On the wire: every payload byte of the sender travels before the first FIN, and in
  //     BLOCK/COMPRESSED the EOF marker's bytes are the last bytes of the stream.
  const lastSenderData = [...facts].reverse().find((f) => f.kind === 'data' && f.from === m.endpoint[sender]);
  if (lastSenderData && wireFirstFin) {
    expect
      .soft(
        lastSenderData.frame < wireFirstFin.frame,
        table(`on the wire, payload (frame ${lastSenderData.frame}) after the first FIN (frame ${wireFirstFin.frame})`),
      )
      .toBe(true);
  }
  if (framed) {
    const marker = own.find((e) => e.type === 'data.marker' && e.marker === 'eof' && recordedBy(e) === sender);
    const hex = marker && marker.type === 'data.marker' ? marker.hex : undefined;
    expect.soft(hex, table(`MODE ${row.mode}: the sender (${sender}) recorded no EOF data.marker`)).toBeDefined();
    if (hex) {
      const stream = payloadStream(wire, m.endpoint[sender]);
      const eof = Buffer.from(hex.replace(/ /g, ''), 'hex');
      const tail = stream
        .subarray(stream.length - eof.length)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ');
      expect
        .soft(tail, table(`MODE ${row.mode}: the wire's last ${eof.length} bytes from the ${sender} are [${tail}], the trace's EOF marker is [${hex}]`))
        .toBe(hex.toLowerCase());
    }
  }

  // 2b. In the trace, on each side's own records: the data row before the FIN (STREAM) or EOF
  //     marker (BLOCK/COMPRESSED) that ends it, and before any FIN on the connection.
  for (const side of [sender, receiver]) {
    const mine = own.filter((e) => recordedBy(e) === side);
    const transfer = mine.find((e) => e.type === 'data.transfer');
    if (!transfer) continue; // reported above
    const role = side === sender ? 'sender' : 'receiver';
    const firstFin = mine.find((e) => e.type === 'tcp.fin');
    if (!framed) {
      const endingFin = mine.find((e) => e.type === 'tcp.fin' && e.side === sender);
      expect.soft(endingFin, table(`MODE S: the ${side} (${role}) recorded no FIN of the ${sender}`)).toBeDefined();
      if (endingFin) {
        expect
          .soft(
            transfer.seq < endingFin.seq,
            table(
              `MODE S, ${side} (${role}): the trace records the ${sender}'s FIN (#${endingFin.seq}) before the data.transfer it ends (#${transfer.seq}); ` +
                `on the wire the payload (last frame ${lastSenderData?.frame}) precedes the FIN (frame ${wireFirstFin?.frame})`,
            ),
          )
          .toBe(true);
      }
    } else {
      const marker = mine.find((e) => e.type === 'data.marker' && e.marker === 'eof');
      expect.soft(marker, table(`MODE ${row.mode}: the ${side} (${role}) recorded no EOF data.marker`)).toBeDefined();
      if (marker) {
        expect
          .soft(
            transfer.seq < marker.seq,
            table(
              `MODE ${row.mode}, ${side} (${role}): the trace records the EOF marker (#${marker.seq}) before the data.transfer it ends (#${transfer.seq}); ` +
                'on the wire the payload precedes the EOF header bytes',
            ),
          )
          .toBe(true);
      }
      if (firstFin) {
        expect
          .soft(
            transfer.seq < firstFin.seq,
            table(
              `MODE ${row.mode}, ${side} (${role}): the trace records a FIN (#${firstFin.seq}) before the data.transfer (#${transfer.seq}); on the wire all payload precedes the FIN`,
            ),
          )
          .toBe(true);
      }
    }
  }
}

/** The frame on the control connection's wire that carries the client's QUIT. */
function quitFrame(events: readonly TraceEvent[], wire: readonly WireConnection[]): number | undefined {
  const control = events.find((e) => e.type === 'tcp.connect' && e.channel === 'control' && e.side === 'client');
  if (!control || control.type !== 'tcp.connect') return undefined;
  const [conn] = connectionsBetween(wire, endpointKey(control.local), endpointKey(control.remote));
  const quit = conn?.facts.find((f) => f.kind === 'data' && f.from === endpointKey(control.local) && f.payload.toString('latin1').includes('QUIT\r\n'));
  return quit?.frame;
}

// ---------------------------------------------------------------------------------------------

const rows: Row[] = [];
for (const direction of ['upload', 'download'] as const) {
  for (const passive of [false, true]) {
    for (const mode of ['S', 'B', 'C'] as const) rows.push({ direction, passive, mode });
  }
}

describe.skipIf(!tools.ok)(
  `the trace's order on each data connection is the wire's (dumpcap on lo, tshark)${tools.ok ? '' : ` — SKIPPED: ${tools.reason}`}`,
  () => {
    for (const row of rows) {
      it(title(row), async () => {
        const { output, events, wire, note } = await runSession(row);
        expect(output.failure, 'the session itself failed').toBeUndefined();
        const dataConns = [...new Set(events.flatMap((e) => ('channel' in e && e.channel === 'data' && connOf(e) ? [connOf(e)!] : [])))];
        expect(dataConns, 'one data connection per session (one transfer)').toHaveLength(1);
        const quit = quitFrame(events, wire);
        for (const conn of dataConns) checkDataConnection(mapConnection(conn, events, wire, note), row, events, quit);
      });
    }
  },
);
