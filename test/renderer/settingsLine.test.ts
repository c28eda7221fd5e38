// The header's settings line: the run's settings as its data connections opened, and never the answer to a
// question the quiz is set to ask (who connects to whom) while the class is predicting it.

import { describe, expect, it } from 'vitest';
import { settingsLine } from '../../renderer/settingsLine';
import type { QuestionKindId } from '../../core/quiz/quizQuestion';
import { fixtures } from '../core/diagram/fixtures';

const { textbookUpload, download, blockReuse, serveCurl } = fixtures;
const before = (events: typeof download.events) => events.filter((e) => e.type !== 'tcp.connect' && e.type !== 'tcp.accept');

describe('settingsLine', () => {
  it.each<{ title: string; trace: typeof download; events?: typeof download.events; kinds: readonly QuestionKindId[]; line: string }>([
    { title: 'active mode, as the server connected', trace: textbookUpload, kinds: [], line: ' · STREAM mode · active · TYPE I' },
    { title: 'passive mode, as the client connected; TYPE A', trace: download, kinds: [], line: ' · STREAM mode · passive · TYPE A' },
    { title: 'BLOCK mode', trace: blockReuse, kinds: [], line: ' · BLOCK mode · passive · TYPE I' },
    {
      title: 'no data connection open yet: as the run was asked',
      trace: download,
      events: before(download.events),
      kinds: [],
      line: ' · STREAM mode · passive · TYPE A',
    },
    {
      title: 'the quiz asks who connects to whom: active or passive is left out',
      trace: textbookUpload,
      kinds: ['data.connect'],
      line: ' · STREAM mode · TYPE I',
    },
    {
      title: '… before any data connection opened too',
      trace: download,
      events: before(download.events),
      kinds: ['reply.1yz', 'data.connect'],
      line: ' · STREAM mode · TYPE A',
    },
    {
      title: 'other questions: the whole line (the keep-open question names the mode itself)',
      trace: blockReuse,
      kinds: ['data.close', 'reply.1yz', 'reply.2yz', 'reply.3yz', 'reply.45yz', 'data.keptOpen'],
      line: ' · BLOCK mode · passive · TYPE I',
    },
    { title: 'a watched server has no settings of its own', trace: serveCurl, kinds: ['data.connect'], line: '' },
  ])('$title', ({ trace, events, kinds, line }) => {
    expect(settingsLine(trace.meta, events ?? trace.events, kinds)).toBe(line);
  });
});
