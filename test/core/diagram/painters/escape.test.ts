// escapeXml: every string from a trace is safe as element text and as a quoted attribute value.

import { describe, expect, it } from 'vitest';
import { escapeXml } from '../../../../core/diagram/painters/escape';

describe('escapeXml', () => {
  const rows = [
    { title: 'plain text is unchanged', input: 'STOR notes.txt', output: 'STOR notes.txt' },
    { title: 'the five XML specials', input: `&<>"'`, output: '&amp;&lt;&gt;&quot;&#39;' },
    { title: 'markup in a file name', input: '<img src=x onerror=alert(1)>.txt', output: '&lt;img src=x onerror=alert(1)&gt;.txt' },
    { title: 'an existing entity is escaped again, not trusted', input: '&amp;', output: '&amp;amp;' },
    { title: 'control characters XML cannot carry become U+FFFD', input: 'a\u0000b\u001bc', output: 'a\uFFFDb\uFFFDc' },
    { title: 'tab and newline stay', input: 'a\tb\nc', output: 'a\tb\nc' },
    { title: 'a lone surrogate becomes U+FFFD; a pair stays', input: 'x\uD800y😀', output: 'x\uFFFDy😀' },
    { title: 'non-ASCII text stays', input: 'Grüße → 文件.txt', output: 'Grüße → 文件.txt' },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(escapeXml(row.input)).toBe(row.output);
    });
  }
});
