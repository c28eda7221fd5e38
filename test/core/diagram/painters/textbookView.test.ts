// paintTextbookSvg: the textbook's upload beside RFC 959 as a standalone table SVG, pointing at the session.

import { describe, expect, it } from 'vitest';
import { paintTextbookSvg, sessionEvidence } from '../../../../core/diagram/painters/textbookView';
import { textbookSteps } from '../../../../core/scenarios/textbookComparison';
import { fixtures } from '../fixtures';

describe('paintTextbookSvg', () => {
  const svg = paintTextbookSvg({ trace: fixtures.textbookUpload });

  it('one row per textbook step, the two wrong ones marked', () => {
    expect(svg.match(/<g class="row verdict-/g)).toHaveLength(textbookSteps.length);
    expect(svg.match(/<g class="row verdict-error"/g)).toHaveLength(2);
    expect(svg).toContain('aria-label="Step 7: wrong"');
    expect(svg).toContain('<tspan x="');
    expect(svg).toContain('PORT is answered 200 Command okay');
  });

  it('points at the session: the command or reply that shows each step, by step number', () => {
    const evidence = sessionEvidence(fixtures.textbookUpload);
    expect(evidence.get(7)).toMatch(/^step 15: 200 PORT command successful/);
    expect(evidence.get(13)).toMatch(/^step 17: 150 Opening BINARY mode/);
    expect(evidence.get(14)).toBe('step 20: the client sends FIN on the data connection: end of file');
  });

  it('is standalone and safe: title, desc, inline style, no script or foreignObject', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toMatch(/<title id="textbook-title">/);
    expect(svg).toMatch(/<desc id="textbook-desc">Step 1 \(correct\)/);
    expect(svg).not.toMatch(/<script|<foreignObject|\son\w+=/i);
  });

  it('without a trace: no session column, dark theme', () => {
    const dark = paintTextbookSvg({ theme: 'dark' });
    expect(dark).not.toContain('In this session');
    expect(dark).toContain('.background{fill:#0d1117}');
  });
});
