// The bench's measure of what the server machine costs in place: ftp-lab serve's own layers (the traced
// control channel, the data channel with its kept passive listener and small-file path, the directory store,
// every socket and wire event recorded in a trace) with the XState session machine replaced by a few
// hand-written lines that answer ftplib's loop (USER, PASS, TYPE, PASV/EPSV, RETR, QUIT). Not a server to
// run: the gap between this row and "ftp-lab" is the machine (and its state events); the gap between this
// row and "lean node tuned" is everything else ftp-lab adds.
//
// Usage: node --import tsx bench/noMachineServer.ts ROOT PASV_MIN PASV_MAX  (prints "listening PORT")

import { formatEpsvReply, formatPasvReply } from '../core/protocol/hostPort';
import { TraceRecorder } from '../core/trace/traceRecorder';
import type { DataInputEvent, ControlInputEvent } from '../core/machines/channelEvents';
import { ServerControlChannel } from '../main/net/controlChannel';
import { listenControl } from '../main/net/controlSockets';
import { DataChannel } from '../main/net/dataChannel';
import { PassivePortPicker } from '../main/net/passivePorts';
import { openStoreSink, openStoreSource, readSmallSource } from '../main/session/storeFileActions';
import { createDirectoryStore } from '../main/store/directoryStore';

const [root = '.', pasvMin = '0', pasvMax = '0'] = process.argv.slice(2);
const store = await createDirectoryStore(root);
const passivePorts = Number(pasvMin) > 0 ? new PassivePortPicker({ min: Number(pasvMin), max: Number(pasvMax) }) : undefined;
// Recorded and then dropped, as serve with retain: false (no file: the trace file's cost is not the question here).
const recorder = new TraceRecorder(() => performance.now(), { retain: false });
let sessions = 0;

const listener = await listenControl(
  '127.0.0.1',
  0,
  () => ({ recorder, side: 'server' as const, session: ++sessions }),
  (traced) => {
    let path: string | undefined;
    let connected = false;
    let waiting = false;
    let epsv = false;
    const settings = { representation: 'I' as const, mode: 'S' as const, structure: 'F' as const, command: 'RETR' };
    const on = (e: ControlInputEvent | DataInputEvent) => {
      if (e.type === 'control.command') {
        const { verb, arg } = e.request;
        if (verb === 'USER') control.reply(331, ['Password.']);
        else if (verb === 'PASS') control.reply(230, ['Logged in.']);
        else if (verb === 'TYPE') control.reply(200, ['Type set.']);
        else if (verb === 'PASV' || verb === 'EPSV') {
          epsv = verb === 'EPSV';
          connected = false;
          data.handle({ type: 'listen' });
        } else if (verb === 'RETR') {
          try {
            path = `/${arg.replace(/^\/+/, '')}`;
            store.sync.stat(path);
          } catch {
            return control.reply(550, ['No such file.']);
          }
          control.reply(150, ['Opening data connection.']);
          if (connected) data.handle({ type: 'send', source: { kind: 'file', path, offset: 0 }, settings });
          else waiting = true;
        } else if (verb === 'QUIT') {
          control.reply(221, ['Goodbye.']);
          control.close('quit');
        } else control.reply(502, ['Not here.']);
      } else if (e.type === 'data.listening')
        control.reply(epsv ? 229 : 227, [epsv ? formatEpsvReply(e.local.port) : formatPasvReply({ host: '127.0.0.1', port: e.local.port })]);
      else if (e.type === 'data.connected') {
        connected = true;
        if (waiting && path) data.handle({ type: 'send', source: { kind: 'file', path, offset: 0 }, settings });
        waiting = false;
      } else if (e.type === 'data.sent') data.handle({ type: 'close', reason: 'eof' });
      else if (e.type === 'data.finSent') control.reply(226, ['Transfer complete.']);
      else if (e.type === 'control.closed') {
        data.dispose();
        control.release();
      }
    };
    const control = new ServerControlChannel(traced, { revealPasswords: false }, on);
    const data = new DataChannel(
      {
        trace: traced.traceContext,
        controlLocal: traced.local,
        controlPeer: traced.remote,
        now: () => performance.now(),
        connectTimeoutMs: 10_000,
        keepListener: true,
        ...(passivePorts ? { passivePorts } : {}),
        openSource: (source) => openStoreSource(store, source),
        readSmall: (source) => readSmallSource(store, source),
        openSink: (sink) => openStoreSink(store, sink),
      },
      on,
    );
    control.reply(220, ['No-machine responder ready.']);
  },
);

console.log(`listening ${listener.local.port}`);
process.on('SIGTERM', () => process.exit(0));
