// Small DOM helpers. Text always goes in through textContent: protocol text (file names, banners, loaded traces) is untrusted.

export function byId<T extends HTMLElement = HTMLElement>(doc: Document, id: string): T {
  const found = doc.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
}

export interface ElementSpec {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates an element; `text` is set with textContent, never parsed as markup. */
export function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  spec: ElementSpec = {},
  children: readonly Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}
