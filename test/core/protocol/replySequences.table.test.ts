// The reply-sequence table keeps in step with the command table: every command the server knows has its row.

import { expect, it } from 'vitest';
import { commandTable } from '../../../core/protocol/commands.table';
import { greetingReplies, replySequenceOf } from '../../../core/protocol/replySequences.table';

const unknown = replySequenceOf('XYZZY');

it.each([...commandTable.keys()])('%s has its own reply sequence (959 §5.4 or its RFC)', (verb) => {
  const sequence = replySequenceOf(verb);
  expect(sequence).not.toBe(unknown);
  expect(new Set(sequence.first).size).toBe(sequence.first.length);
});

it('aliases follow their original, and the greeting answers no command', () => {
  expect(replySequenceOf('XCWD')).toBe(replySequenceOf('CWD'));
  expect(replySequenceOf(undefined)).toBe(greetingReplies);
  expect(replySequenceOf('stor').afterPreliminary).toContain(226);
});
