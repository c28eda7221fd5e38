// What each store refusal answers on the wire (RFC 959 §4.2.1), the full-disk family above all: 452 for no space
// (ENOSPC, EDQUOT), 552 for a file past its allowed size (EFBIG) or the server's quota (serve --quota), 451 for a local error such as EIO; the store's
// message (which file, how much it keeps) goes into the reply text.

import { describe, expect, it } from 'vitest';
import { storeErrorOutcome } from '../../../core/machines/serverFileActions';
import { STORE_ERROR_CODES } from '../../../core/protocol/fileInfo';

describe('store refusals as replies', () => {
  it.each([
    { code: 'noSpace', reply: 452, text: 'Insufficient storage space: /up.bin: no space left on the device; the file keeps its first 2031616 bytes' },
    { code: 'tooBig', reply: 552, text: 'Exceeded storage allocation: /up.bin: the file is too large; the file keeps its first 1048576 bytes' },
    {
      code: 'overQuota',
      reply: 552,
      text: "Exceeded storage allocation: /up.bin: the server's quota of 1048576 bytes is used up; the file keeps its first 65536 bytes",
    },
    { code: 'io', reply: 451, text: 'Local error: /up.bin: input/output error; the file keeps its first 4096 bytes' },
  ] as const)('$code → $reply, with what the store said', ({ code, reply, text }) => {
    const message = text.slice(text.indexOf('/up.bin'));
    expect(storeErrorOutcome(code, message).replies).toEqual([{ code: reply, lines: [text] }]);
  });

  it('every refusal the stores can give has a reply of the 4yz or 5yz kind', () => {
    for (const code of STORE_ERROR_CODES) expect(Math.floor(storeErrorOutcome(code).replies[0]!.code / 100), code).toBeGreaterThanOrEqual(4);
  });
});
