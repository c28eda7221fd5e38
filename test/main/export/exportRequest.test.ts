// The app's export request, answered as the host answers it: the trace the page sends, checked like an opened
// file, rendered by `ftp-lab export`'s own dispatch (the same bytes as the CLI writes), handed back as text or
// base64; and the requests it must refuse (a bad trace, an option the format does not take, a picture or a
// file too large to hand to the page) refused with a sentence, before any work where it can be.

import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ExportRequest, ExportResult } from '../../../core/api/labApi';
import { EXPORT_FORMATS } from '../../../core/diagram/painters/exportFormats.table';
import { exportModel } from '../../../core/diagram/layout/exportModel';
import { parseTrace, serializeTrace } from '../../../core/trace/traceFile';
import { renderExport } from '../../../main/export/exportFormats';
import { answerExportRequest, PAGE_MAX_PNG_PIXELS } from '../../../main/export/exportRequest';
import { fixtures } from '../../core/diagram/fixtures';

const trace = fixtures.textbookUpload;
const text = JSON.stringify(trace);
const bytesOf = (result: ExportResult) => (result.encoding === 'base64' ? Buffer.from(result.data, 'base64') : Buffer.from(result.data, 'utf8'));

describe('answerExportRequest', () => {
  it.each(EXPORT_FORMATS)(
    '%s: the very file ftp-lab export writes, with its size',
    async (format) => {
      const request: ExportRequest = { trace: text, format, theme: 'dark', ...(format === 'json' ? {} : { range: { from: 3, to: 20 } }) };
      const result = await answerExportRequest(request);
      expect(result.format).toBe(format);
      expect(result.encoding).toBe(['png', 'pdf', 'pcapng'].includes(format) ? 'base64' : 'utf8');
      expect(result.bytes).toBe(bytesOf(result).length);
      const cli = await renderExport(trace, format, { theme: 'dark', ...(format === 'json' ? {} : { range: { from: 3, to: 20 } }) });
      if (format === 'pdf') {
        // PDFKit stamps the creation time into the file: the same picture, a different clock.
        expect(bytesOf(result).subarray(0, 5).toString()).toBe('%PDF-');
        expect(Math.abs(result.bytes - (cli as Uint8Array).length)).toBeLessThan(64);
      } else {
        expect(Buffer.compare(bytesOf(result), Buffer.from(cli))).toBe(0);
      }
    },
    30_000,
  );

  it('the JSON export is the trace itself, whole', async () => {
    const result = await answerExportRequest({ trace: text, format: 'json' });
    expect(parseTrace(result.data)).toEqual(parseTrace(serializeTrace(trace)));
  });

  it('a PNG at scale 2 has twice the pixels each way; the textbook table is a picture of its own', async () => {
    const model = exportModel(trace);
    const one = PNG.sync.read(bytesOf(await answerExportRequest({ trace: text, format: 'png' })));
    const two = PNG.sync.read(bytesOf(await answerExportRequest({ trace: text, format: 'png', scale: 2 })));
    expect([one.width, one.height]).toEqual([Math.round(model.width), Math.round(model.height)]);
    expect([two.width, two.height]).toEqual([Math.round(model.width * 2), Math.round(model.height * 2)]);
    const table = await answerExportRequest({ trace: text, format: 'svg', textbook: true });
    expect(table.data).toContain('The textbook upload, step by step, beside RFC 959');
  }, 30_000);

  const refusals: { title: string; request: ExportRequest; sentence: RegExp }[] = [
    { title: 'a trace that is not JSON', request: { trace: '{nope', format: 'svg' }, sentence: /^The trace file is not valid JSON: / },
    { title: 'JSON that is not a trace', request: { trace: '{"format":"nope"}', format: 'svg' }, sentence: /^Not an FTP Lab trace: / },
    {
      title: 'the textbook table as Mermaid',
      request: { trace: text, format: 'mmd', textbook: true },
      sentence: /^The textbook comparison exports as svg, png, pdf or html, not mmd\.$/,
    },
    {
      title: 'steps the trace does not have',
      request: { trace: text, format: 'svg', range: { from: 20, to: 40 } },
      sentence: /^The diagram has 26 steps; steps 20\.\.40 are not all there\.$/,
    },
    {
      title: 'a PNG of more pixels than the page is handed',
      request: { trace: text, format: 'png', notes: true, scale: 8 },
      sentence: new RegExp(
        `^The PNG would have \\d+ million pixels \\(\\d+ × \\d+\\), more than the ${PAGE_MAX_PNG_PIXELS / 1e6} million allowed: export a range of steps or at a smaller scale\\.$`,
      ),
    },
  ];
  for (const row of refusals) {
    it(`refuses ${row.title} with a sentence`, async () => {
      const started = performance.now();
      await expect(answerExportRequest(row.request)).rejects.toThrow(row.sentence);
      // Refused before the picture is made: a huge PNG would take many seconds.
      expect(performance.now() - started).toBeLessThan(3000);
    });
  }
});
