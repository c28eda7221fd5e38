import { describe, expect, it } from 'vitest';
import { refusal, simpleHandler, type DataView } from '../../../core/machines/serverCommands';
import { initialServerContext, type ServerContext } from '../../../core/machines/serverSession.context';
import { commandTable, featureLines } from '../../../core/protocol/commands.table';

const ctx = (over: Partial<ServerContext> = {}): ServerContext => ({
  ...initialServerContext({
    local: { host: '127.0.0.1', port: 2121 },
    peer: { host: '127.0.0.1', port: 50000 },
    config: { accounts: [], anonymous: true, loginDelayMs: 0, maxLoginFailures: 3, dataTimeoutMs: 1000 },
  }),
  ...over,
});

const noData: DataView = { state: 'none' };
const run = (verb: string, arg: string, c = ctx(), data = noData) => simpleHandler(verb)!(c, arg, data);

describe('parameter commands (RFC 959 §4.1.2, §5.4)', () => {
  const rows: { title: string; verb: string; arg: string; code: number; patch?: Partial<ServerContext> }[] = [
    { title: 'TYPE A -> 200', verb: 'TYPE', arg: 'A', code: 200, patch: { representation: 'A' } },
    { title: 'TYPE A N -> 200', verb: 'TYPE', arg: 'A N', code: 200, patch: { representation: 'A' } },
    { title: 'TYPE A T is treated as N (1123 §4.1.2.2)', verb: 'TYPE', arg: 'A T', code: 200, patch: { representation: 'A' } },
    { title: 'TYPE i (lower case) -> 200', verb: 'TYPE', arg: 'i', code: 200, patch: { representation: 'I' } },
    { title: 'TYPE L 8 is I on an 8-bit host (1123 §4.1.2.1)', verb: 'TYPE', arg: 'L 8', code: 200, patch: { representation: 'I' } },
    { title: 'TYPE L 36 -> 504', verb: 'TYPE', arg: 'L 36', code: 504 },
    { title: 'TYPE A C -> 504', verb: 'TYPE', arg: 'A C', code: 504 },
    { title: 'MODE S -> 200', verb: 'MODE', arg: 'S', code: 200, patch: { mode: 'S' } },
    { title: 'MODE B -> 200 (959 §3.4.2)', verb: 'MODE', arg: 'B', code: 200, patch: { mode: 'B' } },
    { title: 'MODE C -> 200 (959 §3.4.3)', verb: 'MODE', arg: 'c', code: 200, patch: { mode: 'C' } },
    { title: 'STRU F -> 200', verb: 'STRU', arg: 'F', code: 200, patch: { structure: 'F' } },
    { title: 'STRU R -> 200: lines travel as records (959 §3.1.2.2)', verb: 'STRU', arg: 'R', code: 200, patch: { structure: 'R' } },
    { title: 'STRU P -> 504 (1123 §4.1.2.3)', verb: 'STRU', arg: 'P', code: 504 },
    {
      title: 'PORT to the control peer -> 200, never 150 (the textbook error)',
      verb: 'PORT',
      arg: '127,0,0,1,195,80',
      code: 200,
      patch: { dataAddress: { host: '127.0.0.1', port: 50000 } },
    },
    { title: 'REST 100 -> 350', verb: 'REST', arg: '100', code: 350, patch: { restOffset: 100 } },
  ];
  for (const row of rows) {
    it(row.title, () => {
      const outcome = run(row.verb, row.arg);
      expect(outcome.replies.map((r) => r.code)).toEqual([row.code]);
      if (row.patch) expect(outcome.patch).toMatchObject(row.patch);
      else expect(outcome.patch).toBeUndefined();
    });
  }

  it("a new PORT closes an open data connection or listener (959 §3.2, condition 3), and sets the data region's target", () => {
    for (const state of ['open', 'keptOpen', 'listening', 'halfClosed.finSent']) {
      const outcome = run('PORT', '127,0,0,1,195,80', ctx(), { state });
      expect(outcome.data, state).toEqual([{ type: 'reset', reason: 'replaced' }]);
      expect(outcome.targetSet).toBe(true);
    }
    expect(run('PORT', '127,0,0,1,195,80', ctx(), { state: 'closed' }).data).toEqual([]);
  });

  it.each([
    { state: 'keptOpen', says: 'Data connection: open, kept after a transfer (MODE B/C)' },
    { state: 'halfClosed.finSent', says: 'Data connection: closing: the server has sent its FIN' },
    { state: 'listening', says: 'Data connection: the server listens (passive) on 127.0.0.1:40000' },
    { state: 'targetSet', says: 'Data connection: the server will connect (active) to 127.0.0.1:40000' },
    // The address of a port specification already used says nothing about the next data connection.
    { state: 'closed', says: 'Data connection: closed' },
    { state: 'none', says: 'Data connection: none yet (send PORT, EPRT, PASV or EPSV)' },
  ])('STAT says what the data region is doing: $state', ({ state, says }) => {
    const lines = run('STAT', '', ctx({ dataAddress: { host: '127.0.0.1', port: 40000 } }), { state }).replies[0]!.lines;
    expect(lines.find((l) => l.includes('Data connection'))?.trim()).toBe(says);
  });

  it('after EPSV ALL, PORT is refused (RFC 2428 §4)', () => {
    expect(run('PORT', '127,0,0,1,195,80', ctx({ epsvAll: true })).replies[0]!.code).toBe(503);
  });
});

describe('control commands', () => {
  it('FEAT lists the extensions, each line starting with one space (RFC 2389 §3.2)', () => {
    const outcome = run('FEAT', '');
    expect(outcome.replies[0]!.code).toBe(211);
    expect(outcome.replies[0]!.lines.slice(1, -1)).toEqual(featureLines());
    expect(featureLines()).toEqual(expect.arrayContaining([' EPSV', ' EPRT', ' SIZE', ' MDTM', ' REST STREAM', ' UTF8']));
  });

  it('PWD quotes the directory (257)', () => {
    expect(run('PWD', '', ctx({ cwd: '/pub' })).replies[0]).toEqual({ code: 257, lines: ['"/pub" is the current directory.'] });
  });

  it('HELP STOR explains one command; HELP with an unknown verb is 501', () => {
    expect(run('HELP', 'stor').replies[0]!.code).toBe(214);
    expect(run('HELP', 'FROB').replies[0]!.code).toBe(501);
  });
});

describe('refusals by table row', () => {
  const rows = [
    { title: 'unknown verb -> 500', verb: 'FROB', arg: undefined, loggedIn: true, code: 500 },
    { title: 'known, not implemented -> 502', verb: 'SMNT', arg: 'x', loggedIn: true, code: 502 },
    { title: 'login needed -> 530', verb: 'RETR', arg: 'x', loggedIn: false, code: 530 },
    { title: 'missing argument -> 501', verb: 'DELE', arg: undefined, loggedIn: true, code: 501 },
    { title: 'superfluous argument -> 501', verb: 'PASV', arg: 'x', loggedIn: true, code: 501 },
    { title: 'allowed -> no refusal', verb: 'NOOP', arg: undefined, loggedIn: false, code: undefined },
  ];
  for (const row of rows) {
    it(row.title, () => expect(refusal(row.loggedIn, row.verb, row.arg)?.replies[0]?.code).toBe(row.code));
  }
});

describe('HELP says what the handlers accept (issue 14)', () => {
  /** The forms a help text lists before its colon: 'MODE S | B | C: ...' gives S, B, C; 'A [N]' gives A and A N. */
  const listed = (verb: string): string[] =>
    commandTable
      .get(verb)!
      .help.split(':')[0]!
      .slice(verb.length)
      .split('|')
      .flatMap((form) => {
        const bare = form.replace(/\[.*?\]/g, '').trim();
        const full = form.replace(/[[\]]/g, '').trim();
        return bare === full ? [bare] : [bare, full];
      });

  it.each(['TYPE', 'STRU', 'MODE'])('%s: every form its help lists is accepted, and no other single letter is', (verb) => {
    const forms = listed(verb);
    for (const form of forms) expect(run(verb, form).replies[0]!.code, `${verb} ${form}`).toBe(200);
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
      if (forms.some((f) => f.split(' ')[0] === letter)) continue;
      expect(run(verb, letter).replies[0]!.code, `${verb} ${letter} is accepted but not in HELP`).not.toBe(200);
    }
  });
});
