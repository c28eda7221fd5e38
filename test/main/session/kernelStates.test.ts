// The kernel's TCP states in the trace (issue 12): each end of each data connection as its own kernel reports
// it. Whoever sends the first FIN ends in TIME_WAIT (RFC 793 §3.5): the client in textbook-upload (its FIN is
// the end of the uploaded file), the server in download; the other end goes CLOSE_WAIT, then CLOSED. Checked
// against `ss -tan`, which reads the same kernel.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findBuiltinScenario } from '../../../core/scenarios/builtinScenarios';
import { settingsFor } from '../../../core/scenarios/scenario';
import type { Endpoint, Side, TraceEvent } from '../../../core/trace/traceEvent';
import { startLabSession } from '../../../main/session/labSession';
import { layoutTrace } from '../../../core/diagram/layout/layout';
import { trackHandles } from '../../support/leaks';

/** The states each end of D1 went through, in order, and each end's own address. */
function d1(events: readonly TraceEvent[]) {
  const states = (side: Side) => events.flatMap((e) => (e.type === 'tcp.state' && e.conn === 'D1' && e.side === side ? [e.state] : []));
  const end = (side: Side): { local: Endpoint; remote: Endpoint } => {
    const opened = events.find((e) => (e.type === 'tcp.connect' || e.type === 'tcp.accept') && e.conn === 'D1' && e.side === side);
    if (!opened || (opened.type !== 'tcp.connect' && opened.type !== 'tcp.accept')) throw new Error(`no open of D1 by the ${side}`);
    return { local: opened.local, remote: opened.remote };
  };
  const firstFin = events.find((e) => e.type === 'tcp.fin' && e.channel === 'data' && e.conn === 'D1');
  return { client: states('client'), server: states('server'), clientEnd: end('client'), serverEnd: end('server'), firstFinFrom: firstFin?.side };
}

/** ss's view of one end: its state, or '' when the kernel holds no such connection. */
function ssState(end: { local: Endpoint; remote: Endpoint }): string {
  const out = execFileSync('ss', ['-tanH', `( sport = :${end.local.port} and dport = :${end.remote.port} )`], { encoding: 'utf8' });
  return out.trim().split(/\s+/)[0] ?? '';
}

describe('kernel TCP states (kernelTcpStates: true)', () => {
  it.each([
    { scenario: 'textbook-upload', closesFirst: 'client' as const, closesSecond: 'server' as const },
    { scenario: 'download', closesFirst: 'server' as const, closesSecond: 'client' as const },
  ])(
    '$scenario: the $closesFirst sends the first FIN on D1 and its kernel keeps D1 in TIME_WAIT; the $closesSecond’s lets it go',
    async ({ scenario, closesFirst, closesSecond }) => {
      const leaks = trackHandles();
      const found = findBuiltinScenario(scenario)!;
      const lab = await startLabSession({ scenario: found, settings: settingsFor(found, {}), tool: 'test', kernelTcpStates: true });
      expect((await lab.done).ok).toBe(true);
      const seen = d1(lab.recorder.events);
      expect(seen.firstFinFrom).toBe(closesFirst);
      // FIN_WAIT_1 until the peer's ACK of the FIN comes, FIN_WAIT_2 after: which one a sample sees is timing.
      expect(seen[closesFirst][0]).toBe('ESTABLISHED');
      expect(seen[closesFirst].slice(1, -1).every((s) => s === 'FIN_WAIT_1' || s === 'FIN_WAIT_2')).toBe(true);
      expect(seen[closesFirst].slice(1, -1).length).toBeGreaterThan(0);
      expect(seen[closesFirst].at(-1)).toBe('TIME_WAIT');
      expect(seen[closesSecond][0]).toBe('ESTABLISHED');
      expect(seen[closesSecond]).toContain('CLOSE_WAIT');
      expect(seen[closesSecond].at(-1)).toBe('CLOSED');
      // The same kernel, asked by another tool after the run: TIME-WAIT for the first closer's end, nothing for the other's.
      expect(ssState(seen[`${closesFirst}End`])).toBe('TIME-WAIT');
      expect(ssState(seen[`${closesSecond}End`])).toBe('');
      // And the diagram's lanes (the kernel-states layer) show what ss shows: TIME_WAIT on the first closer's data
      // lane to the end of the session, none on the other's.
      const drawn = (side: Side) =>
        layoutTrace(lab.recorder.events, { kernelStates: true }).marks.flatMap((m) =>
          m.kind === 'kernel-state' && m.conn === 'D1' && m.side === side ? [m] : [],
        );
      expect(drawn(closesFirst).at(-1)).toMatchObject({ state: 'TIME_WAIT', lane: `${closesFirst}-data`, openAtEnd: true });
      expect(drawn(closesSecond).map((m) => m.state)).not.toContain('TIME_WAIT');
      expect(drawn(closesSecond).at(-1)?.state).toBe('CLOSED');
      await leaks.assertNoLeaks();
    },
  );

  it('is off unless asked for: no tcp.state events', async () => {
    const found = findBuiltinScenario('download')!;
    const lab = await startLabSession({ scenario: found, settings: settingsFor(found, {}), tool: 'test' });
    await lab.done;
    expect(lab.recorder.events.some((e) => e.type === 'tcp.state')).toBe(false);
  });
});
