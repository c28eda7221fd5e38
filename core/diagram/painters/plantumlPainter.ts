// Paints a diagram model as PlantUML text (@startuml … @enduml): the four lanes as participants, each row as
// an arrow or a note, data connections in their diagram colours. Every string from the trace is written
// with PlantUML's <U+XXXX> escapes, so a file name can neither end the diagram nor add a statement.

import type { ConnectionColour, DiagramModel, LaneId } from '../layout/diagramModel';
import { connectionColour, themes, type Theme, type ThemeName } from './palette';
import { sequenceStatements, type ArrowStyle, type Statement } from './sequenceStatements';

export interface PlantUmlOptions {
  readonly theme?: ThemeName;
}

/** Participant ids: fixed, so no trace text ever stands where PlantUML expects an id. */
export const plantUmlIds: Record<LaneId, string> = { client: 'CPI', 'client-data': 'CDTP', 'server-data': 'SDTP', server: 'SPI' };

/**
 * Text for a message, note, title or quoted participant name. PlantUML runs a preprocessor over every line
 * (%date(), %getenv("HOME"), $variables, !directives), reads creole markup (**bold**, //italic//, [[links]],
 * <img:…>, ~ escapes), HTML-like tags and entities, a line that starts with @enduml, and '/'' comments. Only
 * letters, digits, space and . , ( ) pass as they are; everything else becomes <U+XXXX>, which PlantUML
 * decodes after all of that, so it shows literally. (Not &#NNN;: PlantUML 1.2020 crashes on &#36; and
 * &#92;, and cuts code points above U+FFFF.) The file stays ASCII, whatever charset PlantUML assumes.
 * Control characters become their visible Unicode pictures (a newline shows as ␊).
 */
export function plantUmlText(text: string): string {
  let out = '';
  for (const ch of text) {
    let code = ch.codePointAt(0) ?? 0;
    if (code < 0x20) code += 0x2400;
    else if (code === 0x7f) code = 0x2421;
    out += /[A-Za-z0-9 .,()]/.test(ch) ? ch : `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  }
  return out.trim() || '<U+200B>';
}

const arrowHeads: Record<ArrowStyle, { line: '-' | '--'; head: string }> = {
  command: { line: '-', head: '>' },
  reply: { line: '--', head: '>' },
  connect: { line: '-', head: '>' },
  fin: { line: '-', head: '>>' },
  rst: { line: '-', head: 'x' },
  refused: { line: '--', head: 'x' },
  transfer: { line: '-', head: '>' },
  marker: { line: '-', head: '>>' },
  segment: { line: '-', head: '>' },
};

function colourOf(colour: ConnectionColour, style: ArrowStyle, theme: Theme): string {
  if (style === 'rst' || style === 'refused') return theme.error;
  return connectionColour(colour, theme);
}

function arrowOf(s: Extract<Statement, { kind: 'arrow' }>, theme: Theme): string {
  const { line, head } = arrowHeads[s.style];
  const colour = s.colour === 'control' && s.style !== 'rst' && s.style !== 'refused' ? '' : `[${colourOf(s.colour, s.style, theme)}]`;
  // -[#colour]> : the colour sits between the first dash and the rest of the line.
  const body = colour ? `-${colour}${line.slice(1)}` : line;
  return `${body}${head === 'x' ? '>x' : head}`;
}

function noteColour(tone: Extract<Statement, { kind: 'note' }>['tone'], theme: Theme): string {
  if (tone === 'closed' || tone === 'reset' || tone === 'cut') return theme.badgeFill;
  return tone === 'open' ? theme.openFill : theme.noteFill;
}

/** A colour mixed with the background, for activation bars that should not outshout the arrows on them. */
function tint(colour: string, theme: Theme, amount = 0.3): string {
  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const [a, b] = [rgb(colour), rgb(theme.background)];
  return `#${a
    .map((v, i) =>
      Math.round(v * amount + (b[i] ?? 0) * (1 - amount))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

export function paintPlantUml(model: DiagramModel, options: PlantUmlOptions = {}): string {
  const theme = themes[options.theme ?? 'light'];
  const out: string[] = [
    '@startuml',
    'hide footbox',
    'skinparam shadowing false',
    'skinparam sequenceMessageAlign center',
    `skinparam backgroundColor ${theme.background}`,
    `skinparam defaultFontColor ${theme.text}`,
    `skinparam sequenceArrowColor ${theme.control}`,
    `skinparam sequenceLifeLineBorderColor ${theme.lifeline}`,
    `skinparam participantBackgroundColor ${theme.laneFill}`,
    `skinparam participantBorderColor ${theme.laneStroke}`,
    `skinparam noteBorderColor ${theme.noteStroke}`,
  ];
  if (model.title) out.push(`title ${plantUmlText(model.title)}`);
  for (const lane of model.lanes) {
    out.push(`participant "${plantUmlText(lane.title)}\\n${plantUmlText(lane.subtitle)}" as ${plantUmlIds[lane.id]}`);
  }
  for (const s of sequenceStatements(model)) {
    switch (s.kind) {
      case 'arrow': {
        const text = s.lines.map((line, i) => plantUmlText(i === 0 && s.step ? `${s.step}. ${line}` : line)).join('\\n');
        out.push(`${plantUmlIds[s.from]} ${arrowOf(s, theme)} ${plantUmlIds[s.to]} : ${text}`);
        break;
      }
      case 'note': {
        const over = s.over.map((lane) => plantUmlIds[lane]).join(', ');
        const text = s.lines.map((line, i) => plantUmlText(i === 0 && s.step && s.tone === 'info' ? `${s.step}. ${line}` : line)).join('\\n');
        out.push(`note over ${over} ${noteColour(s.tone, theme)} : ${text}`);
        break;
      }
      case 'activate':
        out.push(`activate ${plantUmlIds[s.lane]} ${tint(connectionColour(s.colour, theme), theme)}`);
        break;
      case 'deactivate':
        out.push(`deactivate ${plantUmlIds[s.lane]}`);
        break;
    }
  }
  out.push('@enduml');
  return out.join('\n') + '\n';
}
