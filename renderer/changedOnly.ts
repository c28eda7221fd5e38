// Writes to an element only what differs from what it has. Chromium lays an SVG <text> out again when its x or y or
// its text is written, even with the same value, and a live diagram redraws every 40 ms: unchanged rows, lane headers
// and marks must cost nothing (a performance trace of a watched class showed most of each frame in SVG layout).

/** Sets each attribute whose value differs (null removes it); returns whether anything changed. */
export function setChangedAttributes(el: Element, attributes: Readonly<Record<string, string | number | null | undefined>>): boolean {
  let changed = false;
  for (const name in attributes) {
    const value = attributes[name];
    const text = value === null || value === undefined ? null : String(value);
    if (el.getAttribute(name) === text) continue;
    if (text === null) el.removeAttribute(name);
    else el.setAttribute(name, text);
    changed = true;
  }
  return changed;
}

/** Sets the element's text when it differs. */
export function setChangedText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
