// Scenario files are checked with messages a teacher can act on: the first problem, where it is, and for a step
// of neither kind what a step is (zod alone says "Invalid input").

import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../core/scenarios/scenario';

const file = (steps: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ name: 'a-test', title: 't', description: 'd', steps, ...extra });

describe('parseScenario', () => {
  it('takes a valid file', () => {
    expect(
      parseScenario(
        file([
          { send: 'USER {user}', expect: [331] },
          { data: 'setup', passive: true },
        ]),
      ).steps,
    ).toHaveLength(2);
  });

  it.each([
    { title: 'a step of neither kind', steps: [{ sned: 'USER x' }], message: 'steps.0: a step is {"send": "A COMMAND LINE", ...} or {"data": "setup", ...}' },
    { title: 'a step that is a bare string', steps: ['USER x'], message: 'steps.0: a step is {"send": "A COMMAND LINE", ...} or {"data": "setup", ...}' },
    { title: 'a misspelt key of a command step', steps: [{ send: 'USER x', expct: [331] }], message: 'steps.0: Unrecognized key: "expct"' },
    {
      title: 'a wrong value in a data step',
      steps: [{ data: 'setup', passive: 'yes' }],
      message: 'steps.0.passive: Invalid input: expected boolean, received string',
    },
    { title: 'the second step', steps: [{ send: 'NOOP' }, { send: '' }], message: 'steps.1.send: Too small: expected string to have >=1 characters' },
  ])('names the problem: $title', ({ steps, message }) => {
    expect(() => parseScenario(file(steps))).toThrow(`The scenario is not valid: ${message}`);
  });

  it('a bad name is named as such', () => {
    expect(() => parseScenario(file([{ send: 'NOOP' }], { name: 'Not A Name' }))).toThrow(
      'The scenario is not valid: name: lower-case letters, digits and dashes',
    );
  });
});
