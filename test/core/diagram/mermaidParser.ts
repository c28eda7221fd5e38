// Mermaid's own parser, for tests: the npm mermaid package in a jsdom window (its parser needs a DOM to load,
// not to parse). Gives back what Mermaid understood: the participants, and each message or note as text.

import { JSDOM } from 'jsdom';
import type MermaidApi from 'mermaid';

export interface ParsedMessage {
  readonly from: string;
  readonly to: string | undefined;
  /** Mermaid's line type: 0 solid, 1 dotted, 2 note, 17/18 activation start/end, … */
  readonly type: number;
  /** The text as Mermaid will draw it: entity codes decoded, lines split at <br/>. */
  readonly lines: readonly string[];
}

export interface ParsedSequence {
  readonly type: string;
  readonly title: string;
  readonly actors: readonly { readonly id: string; readonly lines: readonly string[] }[];
  readonly messages: readonly ParsedMessage[];
}

interface SequenceDb {
  getMessages(): { from: string; to?: string; type: number; message?: string }[];
  getActors(): Map<string, { name: string; description: string }>;
  getDiagramTitle(): string;
}

type Mermaid = typeof MermaidApi;
let loaded: Promise<Mermaid> | undefined;

function load(): Promise<Mermaid> {
  loaded ??= (async () => {
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
    const g = globalThis as Record<string, unknown>;
    g.window = dom.window;
    g.document = dom.window.document;
    const { default: mermaid } = await import('mermaid');
    mermaid.initialize({ startOnLoad: false });
    return mermaid;
  })();
  return loaded;
}

/** Mermaid keeps '#60;' as a placeholder until it draws, then shows the character: decode the same way. */
export function mermaidDecoded(text: string): string[] {
  return text.replace(/\uFB02\u00B0\u00B0(\d+)\u00B6\u00DF/g, (_all, n: string) => String.fromCodePoint(Number(n))).split(/<br\s*\/?>/i);
}

/** Parses with mermaid.parse (throws on a syntax error), then reads Mermaid's model of the diagram. */
export async function parseMermaid(text: string): Promise<ParsedSequence> {
  const mermaid = await load();
  const result = await mermaid.parse(text);
  if (!result) throw new Error('mermaid.parse rejected the text');
  const api = (mermaid as unknown as { mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: SequenceDb }> } }).mermaidAPI;
  const { db } = await api.getDiagramFromText(text);
  return {
    type: result.diagramType,
    title: mermaidDecoded(db.getDiagramTitle() ?? '').join('\n'),
    actors: [...db.getActors().values()].map((a) => ({ id: a.name, lines: mermaidDecoded(a.description) })),
    messages: db.getMessages().map((m) => ({ from: m.from, to: m.to, type: m.type, lines: mermaidDecoded(m.message ?? '') })),
  };
}
