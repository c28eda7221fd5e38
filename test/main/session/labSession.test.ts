// One run of a scenario (main/session/labSession.ts), as `ftp-lab run`, the app and the bench start it: the
// built-in server comes up, the client plays the steps into one trace, and the server is gone afterwards.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { findBuiltinScenario } from '../../../core/scenarios/builtinScenarios';
import { settingsFor } from '../../../core/scenarios/scenario';
import { startLabSession } from '../../../main/session/labSession';
import { trackHandles } from '../../support/leaks';

describe('startLabSession', () => {
  it('the textbook upload against the built-in server: one trace of both sides, its meta, and the server stopped after', async () => {
    const leaks = trackHandles();
    const scenario = findBuiltinScenario('textbook-upload')!;
    const lab = await startLabSession({ scenario, settings: settingsFor(scenario, {}), tool: 'test' });
    expect(lab.meta).toMatchObject({ tool: 'test', scenario: 'textbook-upload', server: lab.address, passwordsMasked: true });
    const output = await lab.done;
    expect(output.ok).toBe(true);
    const sides = new Set(lab.recorder.events.map((e) => e.side));
    expect(sides).toEqual(new Set(['client', 'server']));
    expect(lab.recorder.events.some((e) => e.type === 'ftp.reply' && e.code === 226)).toBe(true);
    // The built-in server is gone: its port refuses connections.
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(lab.address.port, lab.address.host);
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await leaks.assertNoLeaks();
  });
});
