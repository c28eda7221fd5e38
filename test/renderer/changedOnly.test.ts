// Writes that change nothing leave the DOM alone: no mutation is recorded (a mutation is what makes the browser style
// and lay the element out again). jsdom's MutationObserver reports exactly the writes made.

import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { setChangedAttributes, setChangedText } from '../../renderer/changedOnly';

function svgText() {
  const { window } = new JSDOM('<svg xmlns="http://www.w3.org/2000/svg"><text x="10" y="20.5" text-anchor="end">12</text></svg>');
  const text = window.document.querySelector('text')!;
  const seen: string[] = [];
  const observer = new window.MutationObserver((records) => seen.push(...records.map((r) => `${r.type}:${r.attributeName ?? ''}`)));
  observer.observe(text, { attributes: true, childList: true, characterData: true, subtree: true });
  return { text, seen: () => [...seen, ...observer.takeRecords().map((r) => `${r.type}:${r.attributeName ?? ''}`)] };
}

describe('changed-only writes', () => {
  it('the same values, numbers as the DOM writes them, make no mutation', () => {
    const { text, seen } = svgText();
    expect(setChangedAttributes(text, { x: 10, y: 20.5, 'text-anchor': 'end', 'data-to': null })).toBe(false);
    setChangedText(text, '12');
    expect(seen()).toEqual([]);
  });

  it('a changed value is written, and only that one', () => {
    const { text, seen } = svgText();
    expect(setChangedAttributes(text, { x: 10, y: 54.5, 'text-anchor': 'end' })).toBe(true);
    setChangedText(text, '13');
    expect(seen()).toEqual(['attributes:y', 'childList:']);
    expect(text.getAttribute('y')).toBe('54.5');
    expect(text.textContent).toBe('13');
  });

  it('null or undefined removes an attribute that is there', () => {
    const { text, seen } = svgText();
    expect(setChangedAttributes(text, { 'text-anchor': null, x: undefined })).toBe(true);
    expect(text.hasAttribute('text-anchor')).toBe(false);
    expect(text.hasAttribute('x')).toBe(false);
    expect(seen()).toEqual(['attributes:text-anchor', 'attributes:x']);
  });
});
