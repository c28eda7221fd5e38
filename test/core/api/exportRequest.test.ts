// The export request's contract (core/api exportTrace): every option checked before a host renders anything,
// each mistake answered with a sentence that says what to give instead; a bad request never reaches a painter.

import { describe, expect, it } from 'vitest';
import { ApiArgumentError, validateRequest } from '../../../core/api/labApi';
import { EXPORT_FORMATS } from '../../../core/diagram/painters/exportFormats.table';
import { MAX_TRACE_TEXT_BYTES } from '../../../core/trace/traceFile';

const trace = '{"format":"ftp-lab-trace"}';

describe('exportTrace: what the contract accepts', () => {
  it.each(EXPORT_FORMATS)('the format %s, alone or with every option it could take', (format) => {
    expect(validateRequest('exportTrace', [{ trace, format }]).args).toEqual([{ trace, format }]);
    const full = { trace, format, theme: 'dark', notes: true, range: { from: 2, to: 9 }, scale: 2.5, textbook: true };
    expect(validateRequest('exportTrace', [full]).args).toEqual([full]);
  });

  it('a range to the end (no last step), and the scale at both of its bounds', () => {
    expect(() => validateRequest('exportTrace', [{ trace, format: 'svg', range: { from: 3 } }])).not.toThrow();
    expect(() => validateRequest('exportTrace', [{ trace, format: 'png', scale: 0.1 }])).not.toThrow();
    expect(() => validateRequest('exportTrace', [{ trace, format: 'png', scale: 8 }])).not.toThrow();
  });
});

describe('exportTrace: what it refuses, and the sentence it says', () => {
  const rows: { title: string; request: unknown; sentence: string }[] = [
    {
      title: 'an unknown format',
      request: { trace, format: 'gif' },
      sentence: 'Bad arguments for exportTrace: 0.format: "gif" is not an export format: choose one of svg, png, pdf, mmd, puml, html, json',
    },
    {
      title: 'a format given as an extension',
      request: { trace, format: '.svg' },
      sentence: 'Bad arguments for exportTrace: 0.format: ".svg" is not an export format: choose one of svg, png, pdf, mmd, puml, html, json',
    },
    {
      title: 'a format that is not text',
      request: { trace, format: { toString: 'svg' } },
      sentence: 'Bad arguments for exportTrace: 0.format: {"toString":"svg"} is not an export format: choose one of svg, png, pdf, mmd, puml, html, json',
    },
    {
      title: 'a long format name, shown cut short',
      request: { trace, format: 'x'.repeat(5000) },
      sentence: `Bad arguments for exportTrace: 0.format: "${'x'.repeat(38)}… is not an export format: choose one of svg, png, pdf, mmd, puml, html, json`,
    },
    {
      title: 'a huge scale',
      request: { trace, format: 'png', scale: 1e9 },
      sentence: 'Bad arguments for exportTrace: 0.scale: a scale of 1000000000 is too large: give a number from 0.1 to 8 (pixels per diagram pixel)',
    },
    {
      title: 'a scale of nothing',
      request: { trace, format: 'png', scale: 0 },
      sentence: 'Bad arguments for exportTrace: 0.scale: a scale of 0 is too small: give a number from 0.1 to 8 (pixels per diagram pixel)',
    },
    {
      title: 'a scale that is text',
      request: { trace, format: 'png', scale: '2' },
      sentence: 'Bad arguments for exportTrace: 0.scale: the scale is a number from 0.1 to 8',
    },
    {
      title: 'an infinite scale (JSON cannot say it, IPC can)',
      request: { trace, format: 'png', scale: Infinity },
      sentence: 'Bad arguments for exportTrace: 0.scale: the scale is a number from 0.1 to 8',
    },
    {
      title: 'a theme that is not there',
      request: { trace, format: 'svg', theme: 'solarized' },
      sentence: 'Bad arguments for exportTrace: 0.theme: the theme is light or dark',
    },
    {
      title: 'a range backwards',
      request: { trace, format: 'svg', range: { from: 9, to: 2 } },
      sentence: 'Bad arguments for exportTrace: 0.range: the first step must not be after the last',
    },
    { title: 'a step 0', request: { trace, format: 'svg', range: { from: 0 } }, sentence: 'Bad arguments for exportTrace: 0.range.from: steps count from 1' },
    {
      title: 'a step that is not whole',
      request: { trace, format: 'svg', range: { from: 1.5 } },
      sentence: 'Bad arguments for exportTrace: 0.range.from: a step is a whole number',
    },
    {
      title: 'an option the contract does not know',
      request: { trace, format: 'svg', path: '/etc/passwd' },
      sentence: 'Bad arguments for exportTrace: 0: Unrecognized key: "path"',
    },
    { title: 'no trace', request: { format: 'svg' }, sentence: 'Bad arguments for exportTrace: 0.trace: Invalid input: expected string, received undefined' },
    {
      title: 'a trace larger than an opened file may be',
      request: { trace: ' '.repeat(MAX_TRACE_TEXT_BYTES + 1), format: 'json' },
      sentence: 'Bad arguments for exportTrace: 0.trace: the trace is larger than 64 MiB',
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(() => validateRequest('exportTrace', [row.request])).toThrow(ApiArgumentError);
      expect(() => validateRequest('exportTrace', [row.request])).toThrow(row.sentence);
    });
  }

  it('more than one argument, or none', () => {
    expect(() => validateRequest('exportTrace', [])).toThrow(/^Bad arguments for exportTrace/);
    expect(() => validateRequest('exportTrace', [{ trace, format: 'svg' }, 'extra'])).toThrow(/^Bad arguments for exportTrace/);
  });
});
