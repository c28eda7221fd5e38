// Measures drawn SVG text without laying the page out: a canvas's measureText in the text element's own font (read
// once per font-defining class). getComputedTextLength gives the same width but forces a layout of everything the
// frame has changed so far, once per badge: a watched class closes data connections several times a second.

/** The width in px `text` takes in `element`'s font (the element itself is only read for its computed font). */
export type TextMeasure = (text: string, element: SVGTextElement) => number;

export function createTextMeasure(doc: Document): TextMeasure {
  const context = doc.createElement('canvas').getContext('2d');
  /** The canvas font for each class of text (its font comes from the style sheet by class, and does not change). */
  const fonts = new Map<string, string>();
  return (text, element) => {
    if (!context) return element.getComputedTextLength();
    const key = element.getAttribute('class') ?? '';
    let font = fonts.get(key);
    if (font === undefined) {
      const style = doc.defaultView!.getComputedStyle(element);
      font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      fonts.set(key, font);
    }
    context.font = font;
    return context.measureText(text).width;
  };
}
