// Paints a diagram model as Mermaid `sequenceDiagram` text: the four lanes as participants, each row as an
// arrow or a note, each data connection's life as activations. Every string from the trace is written with
// Mermaid's entity codes (#60; for '<'), so a file name can neither end a statement nor add one.

import type { DiagramModel, LaneId } from '../layout/diagramModel';
import type { ThemeName } from './palette';
import { sequenceStatements, type ArrowStyle } from './sequenceStatements';

export interface MermaidOptions {
  /** 'dark' adds an init directive for Mermaid's dark theme; light uses Mermaid's default. */
  readonly theme?: ThemeName;
}

/** Participant ids: fixed, so no trace text ever stands where Mermaid expects an id. */
export const mermaidIds: Record<LaneId, string> = { client: 'CPI', 'client-data': 'CDTP', 'server-data': 'SDTP', server: 'SPI' };

const arrows: Record<ArrowStyle, string> = {
  command: '->>',
  reply: '-->>',
  connect: '->>',
  fin: '-)',
  rst: '-x',
  refused: '--x',
  transfer: '->>',
  marker: '-)',
  segment: '->>',
};

/**
 * Text for a message, note, title or participant name. Mermaid reads '#', ';' and newlines as statement
 * syntax, '%%' as a comment or an init directive, ':' in 'wrap:' and in its style pre-pass, '<' '>' '&' as
 * HTML when it draws, and '$$' as KaTeX; its entity codes (#NNN;, decoded only when drawing) carry all of
 * them. Letters, digits and harmless punctuation stay as they are, non-ASCII text too, so the file stays
 * readable. Control characters become their visible Unicode pictures (a newline shows as ␊).
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += `#${0x2400 + (code === 0x7f ? 0x21 : code)};`;
    else if (/[A-Za-z0-9 .,()\-_/+=?!*@[\]|^~]/.test(ch)) out += ch;
    else if (code < 0x80 || isInvisible(code)) out += `#${code};`;
    else out += ch;
  }
  return out.trim() || '#8203;';
}

/** Line and paragraph separators, BOM, bidi controls and the like: visible only as entity codes. */
function isInvisible(code: number): boolean {
  return (
    (code >= 0x80 && code <= 0x9f) ||
    code === 0xa0 ||
    code === 0xad ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff
  );
}

export function paintMermaid(model: DiagramModel, options: MermaidOptions = {}): string {
  const out: string[] = [];
  if (options.theme === 'dark') out.push(`%%{init: {"theme": "dark"}}%%`);
  out.push('sequenceDiagram');
  if (model.title) out.push(`  title ${mermaidText(model.title)}`);
  for (const lane of model.lanes) {
    out.push(`  participant ${mermaidIds[lane.id]} as ${mermaidText(lane.title)}<br/>${mermaidText(lane.subtitle)}`);
  }
  for (const s of sequenceStatements(model)) {
    switch (s.kind) {
      case 'arrow': {
        const text = s.lines.map((line, i) => mermaidText(i === 0 && s.step ? `${s.step}. ${line}` : line)).join('<br/>');
        out.push(`  ${mermaidIds[s.from]}${arrows[s.style]}${mermaidIds[s.to]}: ${text}`);
        break;
      }
      case 'note': {
        const over = s.over.map((lane) => mermaidIds[lane]).join(',');
        const text = s.lines.map((line, i) => mermaidText(i === 0 && s.step && s.tone === 'info' ? `${s.step}. ${line}` : line)).join('<br/>');
        out.push(`  Note over ${over}: ${text}`);
        break;
      }
      case 'activate':
      case 'deactivate':
        out.push(`  ${s.kind} ${mermaidIds[s.lane]}`);
        break;
    }
  }
  return out.join('\n') + '\n';
}
