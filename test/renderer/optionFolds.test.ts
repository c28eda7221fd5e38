// The sidebar's folded groups say on their heading what is set inside them: titled rows of what the panels read back.

import { describe, expect, it } from 'vitest';
import { foldStates, type OptionValues } from '../../renderer/optionFolds';
import { noBreakpoints } from '../../renderer/breakpoints';

const base: OptionValues = {
  session: { scenario: 'textbook-upload', paused: true, mode: 'S', passive: false, type: 'I', user: 'student' },
  layers: { kernelStates: false, tcp: false },
  breakpoints: noBreakpoints,
  quizKinds: [],
};

describe('foldStates', () => {
  it.each<{ title: string; values: Partial<OptionValues>; expected: Record<string, string> }>([
    {
      title: 'nothing set beyond the defaults',
      values: {},
      expected: { layers: 'off', transfer: 'STREAM · PORT', login: 'student', server: 'built-in', breakpoints: 'none', quiz: 'off' },
    },
    { title: 'both layers', values: { layers: { kernelStates: true, tcp: true } }, expected: { layers: 'kernel, TCP' } },
    { title: 'passive, BLOCK', values: { session: { ...base.session, passive: true, mode: 'B' } }, expected: { transfer: 'BLOCK · PASV' } },
    { title: 'EPSV for PASV (RFC 2428)', values: { session: { ...base.session, passive: true, extended: true } }, expected: { transfer: 'STREAM · EPSV' } },
    { title: 'EPRT for PORT (RFC 2428)', values: { session: { ...base.session, extended: true } }, expected: { transfer: 'STREAM · EPRT' } },
    {
      title: 'an external server',
      values: { session: { ...base.session, server: { host: '127.0.0.1', port: 21 } } },
      expected: { server: '127.0.0.1:21' },
    },
    {
      title: 'breakpoints of every kind, counted',
      values: { breakpoints: { verbs: ['STOR'], codes: [150, 226], events: ['tcp.fin:data'] } },
      expected: { breakpoints: '4 set' },
    },
    { title: 'the quiz on', values: { quizKinds: ['data.close'] }, expected: { quiz: 'on', transfer: 'STREAM · PORT' } },
    {
      title: 'the quiz asks who connects to whom: PORT or PASV is left out (as in the header)',
      values: { quizKinds: ['reply.2yz', 'data.connect'] },
      expected: { quiz: 'on', transfer: 'STREAM' },
    },
  ])('$title', ({ values, expected }) => {
    expect(foldStates({ ...base, ...values })).toMatchObject(expected);
  });
});
