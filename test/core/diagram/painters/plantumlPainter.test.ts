// paintPlantUml: ASCII text in which nothing from the trace can act as PlantUML syntax. (Debian's plantuml
// itself parses and draws every scenario and the hostile trace in test/main/cli/exportFormats.test.ts.)

import { describe, expect, it } from 'vitest';
import { exportModel } from '../../../../core/diagram/layout/exportModel';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { paintPlantUml, plantUmlText } from '../../../../core/diagram/painters/plantumlPainter';
import { sequenceStatements } from '../../../../core/diagram/painters/sequenceStatements';
import { fixtures } from '../fixtures';
import { expectGolden } from '../golden';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_TITLE, hostileEvents } from '../hostileTrace';

/** PlantUML's own decoding of <U+XXXX>, after it has parsed the line. */
const decoded = (text: string): string => text.replace(/<U\+([0-9A-F]{4,6})>/g, (_all, hex: string) => String.fromCodePoint(parseInt(hex, 16)));

const STATEMENT =
  /^(@startuml|@enduml|hide footbox|skinparam \w+ [#\w]+|title .+|participant "[^"]*" as (CPI|CDTP|SDTP|SPI)|(CPI|CDTP|SDTP|SPI) -(\[#[0-9a-f]{6}\])?-?(>|>>|>x) (CPI|CDTP|SDTP|SPI) : .+|note over (CPI|CDTP|SDTP|SPI)(, (CPI|CDTP|SDTP|SPI))? #[0-9a-f]{6} : .+|activate (CDTP|SDTP) #[0-9a-f]{6}|deactivate (CDTP|SDTP))$/;

describe('plantUmlText', () => {
  it.each([
    ['markup and entities', '<b>&#60;', '<U+003C>b<U+003E><U+0026><U+0023>60<U+003B>'],
    ['a preprocessor call', '%getenv("HOME")', '<U+0025>getenv(<U+0022>HOME<U+0022>)'],
    ['a variable and a backslash (&#36; and &#92; crash PlantUML 1.2020)', '$x \\n', '<U+0024>x <U+005C>n'],
    [
      'creole',
      '**b** //i// ~~w~~ [[u]]',
      '<U+002A><U+002A>b<U+002A><U+002A> <U+002F><U+002F>i<U+002F><U+002F> <U+007E><U+007E>w<U+007E><U+007E> <U+005B><U+005B>u<U+005D><U+005D>',
    ],
    ['@enduml and an arrow', '@enduml -->', '<U+0040>enduml <U+002D><U+002D><U+003E>'],
    ['a newline, shown as its picture', 'a\nb', 'a<U+240A>b'],
    ['non-ASCII, whatever charset PlantUML assumes', 'Größe_文件 😀', 'Gr<U+00F6><U+00DF>e<U+005F><U+6587><U+4EF6> <U+1F600>'],
    ['empty text', '', '<U+200B>'],
  ])('%s', (_title, text, written) => {
    expect(plantUmlText(text)).toBe(written);
  });
});

describe('paintPlantUml', () => {
  it('textbook upload (golden)', async () => {
    const trace = fixtures.textbookUpload;
    await expectGolden('textbook-upload.puml', paintPlantUml(layoutTrace(trace.events, { title: trace.meta.title ?? '' })));
  });

  it('every line of every captured trace is one of the statements it means to write', () => {
    for (const [name, trace] of Object.entries(fixtures)) {
      const text = paintPlantUml(exportModel(trace));
      const lines = text.trimEnd().split('\n');
      expect(lines[0], name).toBe('@startuml');
      expect(lines.at(-1), name).toBe('@enduml');
      expect(
        lines.filter((l) => !STATEMENT.test(l)),
        name,
      ).toEqual([]);
    }
  });

  it('hostile text: ASCII only, one statement per line, no preprocessor or creole syntax, and decodes to the original', () => {
    const model = layoutTrace(hostileEvents(), { title: HOSTILE_TITLE });
    const text = paintPlantUml(model);
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => !STATEMENT.test(l))).toEqual([]);
    expect(lines.filter((l) => l.includes('@enduml'))).toEqual(['@enduml']);
    expect(text).not.toMatch(/%|\$|\*\*|\/\/|~|&#|\\(?!n)/);
    const statements = sequenceStatements(model).filter((s) => s.kind !== 'activate' && s.kind !== 'deactivate');
    const texts = lines.filter((l) => / : /.test(l)).map((l) => decoded(l.slice(l.indexOf(' : ') + 3)));
    expect(texts).toHaveLength(statements.length);
    expect(texts).toContain(`11. STOR ${HOSTILE_FILE}`);
    expect(texts).toContain(`17. ${HOSTILE_NOTE.replace('\n', '\u240a')}`);
    expect(decoded(lines.find((l) => l.startsWith('title '))!.slice(6))).toBe(HOSTILE_TITLE);
  });
});
