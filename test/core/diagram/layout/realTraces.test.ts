// layoutTrace on traces captured from real sessions: what a teacher would point at in each one.

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { observedSides } from '../../../../core/trace/closeMeaning';
import { fixtures } from '../fixtures';
import { marksOf } from '../modelText';

const badgeOf = (model: ReturnType<typeof layoutTrace>, id: string) => marksOf(model, 'close-badge').find((b) => b.of === id)?.text;

describe('layoutTrace on captured traces', () => {
  it('textbook upload: the server connects from its data port, the client closes at EOF before 226', () => {
    const model = layoutTrace(fixtures.textbookUpload.events);
    const connect = marksOf(model, 'connect').find((m) => m.channel === 'data');
    expect(connect).toMatchObject({ fromLane: 'server-data', toLane: 'client-data', how: 'active' });
    const [first, second] = marksOf(model, 'fin').filter((m) => m.channel === 'data');
    expect(first).toMatchObject({ fromLane: 'client-data', toLane: 'server-data', reason: 'eof' });
    expect(badgeOf(model, first?.id ?? '')).toBe('client closed: EOF in STREAM mode');
    expect(second).toMatchObject({ fromLane: 'server-data', reason: 'peer-closed' });
    const reply226 = marksOf(model, 'message').find((m) => m.code === 226);
    expect(reply226?.step).toBeGreaterThan(second?.step ?? Infinity);
    const port = marksOf(model, 'message').find((m) => m.verb === 'PORT');
    expect(marksOf(model, 'message').find((m) => m.step === (port?.step ?? 0) + 1)?.code).toBe(200);
  });

  it('download: the FIN comes from the server-data lane, meaning EOF', () => {
    const model = layoutTrace(fixtures.download.events);
    const [fin] = marksOf(model, 'fin').filter((m) => m.channel === 'data');
    expect(fin).toMatchObject({ fromLane: 'server-data', toLane: 'client-data', sender: 'server' });
    expect(badgeOf(model, fin?.id ?? '')).toBe('server closed: EOF in STREAM mode');
  });

  it('block reuse: one span over three transfers, EOF markers 40 00 00, closed only after QUIT', () => {
    const model = layoutTrace(fixtures.blockReuse.events);
    expect(marksOf(model, 'connection')).toHaveLength(1);
    expect(marksOf(model, 'transfer').map((t) => [t.keptOpen, badgeOf(model, t.id)])).toEqual(Array(3).fill([true, 'stays open: BLOCK mode, EOF marker sent']));
    expect(marksOf(model, 'marker').map((m) => m.hex)).toEqual(['40 00 00', '40 00 00', '40 00 00']);
    const quit = marksOf(model, 'message').find((m) => m.verb === 'QUIT');
    for (const fin of marksOf(model, 'fin')) expect(fin.step).toBeGreaterThan(quit?.step ?? Infinity);
    const [span] = marksOf(model, 'connection');
    expect(span?.stepTo).toBe(
      Math.max(
        ...marksOf(model, 'fin')
          .filter((f) => f.channel === 'data')
          .map((f) => f.step),
      ),
    );
  });

  it('serve mode (server side only): every command and reply of both sessions once; a 530 is a reply like any other', () => {
    const events = fixtures.serveCurl.events;
    expect([...observedSides(events)]).toEqual(['server']);
    const model = layoutTrace(events);
    const wire = events.filter((e) => e.type === 'ftp.command' || e.type === 'ftp.reply');
    expect(marksOf(model, 'message')).toHaveLength(wire.length);
    expect(
      marksOf(model, 'connect')
        .filter((m) => m.channel === 'control')
        .map((m) => [m.conn, m.initiator]),
    ).toEqual([
      ['C1', 'client'],
      ['C2', 'client'],
    ]);
    expect(marksOf(model, 'message').find((m) => m.code === 530)).toMatchObject({ replyClass: 'permanentNegative', fromLane: 'server', toLane: 'client' });
    expect(model.lanes.find((l) => l.id === 'client')?.subtitle).toMatch(/^127\.0\.0\.1 ports \d+, \d+$/);
  });

  it('our client against vsftpd (client side only): the server’s FIN, seen as received, is drawn from the server-data lane', () => {
    const events = fixtures.clientVsftpd.events;
    expect([...observedSides(events)]).toEqual(['client']);
    const model = layoutTrace(events);
    expect(marksOf(model, 'message').find((m) => m.code === 220)?.label).toBe('220 (vsFTPd 3.0.3)');
    const [serverFin, clientFin] = marksOf(model, 'fin').filter((m) => m.channel === 'data');
    expect(serverFin).toMatchObject({ fromLane: 'server-data', sender: 'server' });
    expect(clientFin).toMatchObject({ fromLane: 'client-data', sender: 'client' });
  });

  it('the step rows hold every shown event once, in trace order', () => {
    for (const trace of Object.values(fixtures)) {
      const model = layoutTrace(trace.events);
      const seqs = model.rows.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
  });
});
