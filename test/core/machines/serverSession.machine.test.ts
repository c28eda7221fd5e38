// The server session machine alone: the test plays sockets and store (serverHarness.ts) and moves time on a
// SimulatedClock. Each row checks replies, orders and the two regions' states as RFC 959 has them.

import { describe, expect, it } from 'vitest';
import type { ServerEmitted } from '../../../core/machines/serverSession.machine';
import { connected, listening, loggedIn, serverHarness } from './serverHarness';

const orders = (emitted: readonly ServerEmitted[]) => emitted.flatMap((e) => (e.type === 'data.order' ? [e.order.type] : []));
const replyCodes = (emitted: readonly ServerEmitted[]) => emitted.flatMap((e) => (e.type === 'reply' ? [e.code] : []));

/** Logged in, after PASV: the server listens, nothing taken yet. */
const passiveSession = () => {
  const h = loggedIn();
  h.command('PASV');
  h.send(listening);
  h.take();
  return h;
};

/** Logged in, a RETR under way on a passive connection, nothing taken yet. */
const transferring = () => {
  const h = passiveSession();
  h.send(connected);
  h.command('RETR big');
  h.fileDone();
  h.take();
  return h;
};

describe('login (959 §4.1.1, RFC 2577 §5, §7)', () => {
  it('greets with 220, answers USER with 331 whatever the name, and PASS with 230', () => {
    const h = serverHarness();
    expect(h.codes()).toEqual([220]);
    expect(h.session()).toBe('notLoggedIn.awaitingUser');
    expect(replyCodes(h.command('USER nobody-like-this'))).toEqual([331]);
    expect(replyCodes(h.command('USER alice'))).toEqual([331]);
    expect(replyCodes(h.command('PASS s3cret'))).toEqual([230]);
    expect(h.session()).toBe('loggedIn.idle');
  });

  it('a wrong password is answered 530 only after the login delay; commands sent meanwhile wait their turn', () => {
    const h = serverHarness();
    h.take();
    h.command('USER alice');
    expect(replyCodes(h.command('PASS wrong'))).toEqual([]);
    expect(replyCodes(h.command('NOOP'))).toEqual([]);
    expect(h.session()).toBe('notLoggedIn.loginRefused');
    h.clock.increment(999);
    expect(h.codes()).toEqual([]);
    h.clock.increment(1);
    expect(h.codes()).toEqual([530, 200]);
    expect(h.session()).toBe('notLoggedIn.awaitingUser');
  });

  it('the third wrong password ends the session: 421 and the control connection closes', () => {
    const h = serverHarness();
    h.take();
    for (let i = 0; i < 2; i++) {
      h.command('USER alice');
      h.command('PASS wrong');
      h.clock.increment(1000);
    }
    h.take();
    h.command('USER alice');
    h.command('PASS wrong');
    h.clock.increment(1000);
    const out = h.take();
    expect(replyCodes(out)).toEqual([421]);
    expect(out).toContainEqual({ type: 'control.close', reason: 'error' });
    expect(h.session()).toBe('closed');
  });

  it('before login only login, QUIT and commands that need no login are taken (530 otherwise)', () => {
    const h = serverHarness();
    h.take();
    expect(replyCodes(h.command('RETR f'))).toEqual([530]);
    expect(replyCodes(h.command('SYST'))).toEqual([215]);
    expect(replyCodes(h.command('PASS x'))).toEqual([503]);
  });
});

describe('a STREAM download, passive (959 §3.2, §3.4.1, §5.2)', () => {
  it('PASV, connect, RETR: 150, the file, the server FIN, then 226 at once; the client FIN comes when it comes', () => {
    const h = loggedIn();
    expect(orders(h.command('PASV'))).toEqual(['listen']);
    expect(h.session()).toBe('loggedIn.openingPassive');
    expect(replyCodes(h.send(listening))).toEqual([227]);
    expect(h.data()).toBe('listening');
    h.send(connected);
    expect(h.data()).toBe('open');
    const asked = h.command('RETR notes.txt');
    expect(asked).toEqual([{ type: 'file.request', request: { op: 'prepareRetr', path: '/notes.txt', offset: 0 } }]);
    const started = h.fileDone();
    expect(replyCodes(started)).toEqual([150]);
    expect(orders(started)).toEqual(['send']);
    expect(h.session()).toBe('loggedIn.transfer.transferring');
    const sent = h.send({ type: 'data.sent', bytes: 1024 });
    expect(sent).toEqual([{ type: 'data.order', order: { type: 'close', reason: 'eof' } }]);
    expect(h.session()).toBe('loggedIn.transfer.closingData');
    // The server's FIN is out: 226 now, not after the client's FIN.
    expect(replyCodes(h.send({ type: 'data.finSent', bytes: 1024 }))).toEqual([226]);
    expect(h.session()).toBe('loggedIn.idle');
    expect(h.data()).toBe('halfClosed.finSent');
    h.send({ type: 'data.peerFin' });
    expect(h.data()).toBe('closed');
  });

  it('the next transfer needs a new PASV: RETR while the last connection is only half closed is 425', () => {
    const h = loggedIn();
    h.command('PASV');
    h.send(listening);
    h.send(connected);
    h.command('RETR a');
    h.fileDone();
    h.send({ type: 'data.sent', bytes: 1 });
    h.send({ type: 'data.finSent', bytes: 1 });
    h.take();
    h.command('RETR b');
    expect(replyCodes(h.fileDone())).toEqual([425]);
  });

  it('no data connection within the data timeout: 425, and the listener goes', () => {
    const h = loggedIn();
    h.command('PASV');
    h.send(listening);
    h.command('RETR f');
    expect(replyCodes(h.fileDone())).toEqual([150]);
    h.clock.increment(4999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    const out = h.take();
    expect(replyCodes(out)).toEqual([425]);
    expect(orders(out)).toEqual(['reset']);
    expect(h.session()).toBe('loggedIn.idle');
    expect(h.data()).toBe('closed');
  });
});

describe('active mode (959 §3.2: the server connects, from L-1)', () => {
  it('PORT sets the target (200, never 150); RETR: 150, then the server dials', () => {
    const h = loggedIn();
    expect(replyCodes(h.command('PORT 127,0,0,1,195,80'))).toEqual([200]);
    expect(h.data()).toBe('targetSet');
    h.command('RETR f');
    const out = h.fileDone();
    expect(replyCodes(out)).toEqual([150]);
    expect(out).toContainEqual({ type: 'data.order', order: { type: 'connect', target: { host: '127.0.0.1', port: 50000 } } });
    expect(h.data()).toBe('connecting');
    h.send(connected);
    expect(h.data()).toBe('open');
    expect(h.session()).toBe('loggedIn.transfer.transferring');
  });

  it('PORT to another host is refused before anything is attempted (RFC 2577 §3)', () => {
    const h = loggedIn();
    const out = h.command('PORT 10,0,0,9,195,80');
    expect(replyCodes(out)).toEqual([501]);
    expect(orders(out)).toEqual([]);
    expect(h.data()).toBe('none');
  });
});

describe('a STREAM upload: the client closes, and that is the end of file (959 §3.2 exception)', () => {
  it('the client FIN does not make the server close mid-transfer; once stored, the server closes and says 226', () => {
    const h = loggedIn();
    h.command('PASV');
    h.send(listening);
    h.send(connected);
    h.command('STOR up.txt');
    const started = h.fileDone({ ok: true, path: '/up.txt' });
    expect(orders(started)).toEqual(['receive']);
    expect(h.send({ type: 'data.peerFin' })).toEqual([]);
    expect(h.data()).toBe('halfClosed.finReceived');
    expect(h.send({ type: 'data.received', bytes: 9 })).toEqual([{ type: 'data.order', order: { type: 'close', reason: 'peer-closed' } }]);
    expect(replyCodes(h.send({ type: 'data.finSent', bytes: 9 }))).toEqual([226]);
    expect(h.data()).toBe('closed');
  });
});

describe('BLOCK mode: the EOF marker travels in the data; the connection stays open (959 §3.3, §5.2)', () => {
  it('250 and keptOpen; the next transfer on it gets 125; a client FIN between transfers is answered with the server FIN', () => {
    const h = loggedIn();
    h.command('MODE B');
    h.command('PASV');
    h.send(listening);
    h.send(connected);
    h.command('RETR a');
    h.fileDone();
    h.take();
    expect(replyCodes(h.send({ type: 'data.sent', bytes: 581, fileBytes: 575 }))).toEqual([250]);
    expect(h.emitted.at(-1)).toMatchObject({ lines: ['Transfer complete: 581 bytes (575 of the file); the data connection stays open (MODE B).'] });
    expect(h.data()).toBe('keptOpen');
    h.command('RETR b');
    expect(replyCodes(h.fileDone())).toEqual([125]);
    h.send({ type: 'data.sent', bytes: 10, fileBytes: 4 });
    h.take();
    expect(h.send({ type: 'data.peerFin' })).toEqual([{ type: 'data.order', order: { type: 'close', reason: 'peer-closed' } }]);
    h.send({ type: 'data.finSent', bytes: 0 });
    expect(h.data()).toBe('closed');
  });
});

describe('during a transfer (959 §4.1.3, 1123 §4.1.3.3)', () => {
  it('ABOR: the server closes the data connection, then 426 for the transfer and 226 for ABOR', () => {
    const h = transferring();
    expect(h.command('ABOR')).toEqual([{ type: 'data.order', order: { type: 'abort', reason: 'abort' } }]);
    expect(replyCodes(h.send({ type: 'data.finSent', bytes: 4096 }))).toEqual([426, 226]);
    expect(h.session()).toBe('loggedIn.idle');
  });

  it('STAT is answered at once; other commands, QUIT too, wait for the transfer to end', () => {
    const h = transferring();
    expect(replyCodes(h.command('STAT'))).toEqual([211]);
    expect(replyCodes(h.command('NOOP'))).toEqual([]);
    expect(replyCodes(h.command('QUIT'))).toEqual([]);
    h.send({ type: 'data.sent', bytes: 10 });
    const out = h.send({ type: 'data.finSent', bytes: 10 });
    expect(replyCodes(out)).toEqual([226, 200, 221]);
    expect(out.at(-1)).toEqual({ type: 'control.close', reason: 'quit' });
  });

  it('a connection lost mid-transfer is 426', () => {
    const h = transferring();
    expect(replyCodes(h.send({ type: 'data.lost', bytes: 100, reason: 'reset' }))).toEqual([426]);
    expect(h.data()).toBe('closed');
  });
});

describe('the idle timeout (RFC 1123 §4.1.3.2)', () => {
  it('a session that sends nothing gets 421 and the server closes the control connection; the data connection goes too', () => {
    const h = passiveSession();
    const out = h.send({ type: 'control.idle', seconds: 300 });
    expect(replyCodes(out)).toEqual([421]);
    expect(out).toContainEqual({ type: 'data.order', order: { type: 'reset', reason: 'quit' } });
    expect(out.at(-1)).toEqual({ type: 'control.close', reason: 'error' });
    expect(h.session()).toBe('closed');
  });

  it('a transfer in progress is not idleness', () => {
    const h = transferring();
    expect(h.send({ type: 'control.idle', seconds: 300 })).toEqual([]);
    expect(h.session()).toBe('loggedIn.transfer.transferring');
  });
});

describe('a connection over a session limit (959 §5.4)', () => {
  it('is greeted with 421 instead of 220, and the server closes', () => {
    const h = serverHarness({}, 'Too many sessions');
    expect(h.emitted).toEqual([
      { type: 'reply', code: 421, lines: ['Too many sessions; try again later.'] },
      { type: 'control.close', reason: 'limit' },
    ]);
    expect(h.session()).toBe('closed');
  });
});

describe('the server shuts down (SIGTERM)', () => {
  it('an idle session gets 421 (959 §4.2: the answer to anything) and the server closes', () => {
    const h = passiveSession();
    const out = h.send({ type: 'server.shutdown' });
    expect(replyCodes(out)).toEqual([421]);
    expect(out[0]).toEqual({ type: 'data.order', order: { type: 'reset', reason: 'shutdown' } });
    expect(out.at(-1)).toEqual({ type: 'control.close', reason: 'shutdown' });
    expect(h.session()).toBe('closed');
  });

  it('a transfer is cut short first: the data connection goes, 426 for its command, then 421', () => {
    const h = transferring();
    const out = h.send({ type: 'server.shutdown' });
    expect(out.map((e) => (e.type === 'reply' ? e.code : e.type === 'data.order' ? e.order.type : e.type))).toEqual(['reset', 426, 421, 'control.close']);
    expect(h.session()).toBe('closed');
  });

  it('a session that is already closing says nothing more', () => {
    const h = passiveSession();
    h.command('QUIT');
    expect(h.send({ type: 'server.shutdown' })).toEqual([]);
  });
});

describe('the session ends', () => {
  it('QUIT: 221, the data connection goes, the server closes the control connection; both regions end', () => {
    const h = passiveSession();
    const out = h.command('QUIT');
    expect(replyCodes(out)).toEqual([221]);
    expect(orders(out)).toEqual(['reset']);
    expect(out.at(-1)).toEqual({ type: 'control.close', reason: 'quit' });
    expect(h.session()).toBe('closing');
    h.send({ type: 'control.closed', reason: 'peer' });
    expect(h.actor.getSnapshot().status).toBe('done');
  });

  it('megabytes without a line end: 500 and the connection closes', () => {
    const h = loggedIn();
    const out = h.send({ type: 'control.flood', bytes: 1 << 20 });
    expect(replyCodes(out)).toEqual([500]);
    expect(out).toContainEqual({ type: 'control.close', reason: 'error' });
  });
});
