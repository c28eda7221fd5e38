// A trace full of text that each export language reads as syntax: markup, entities, quotes, newlines,
// Mermaid directives and comments, PlantUML's @enduml, preprocessor calls and creole, arrows, keywords,
// non-ASCII. Every export must show it literally and let none of it act.

import type { TraceEvent } from '../../../core/trace/traceEvent';
import { TraceBuilder } from './traceBuilder';

/** A file name a real FTP server accepts (ftp-lab's own store does): no '/', no '\', no CR/LF. */
export const HOSTILE_FILE = `Größe_文件 <b>&amp; "q" 'a' %%{init: {"theme":"forest"}}%% @enduml --> end; #x $HOME %date().txt`;

/** A note (from the session host) with what no file name can carry: newlines, a backslash, U+2028, an emoji, </script>. */
export const HOSTILE_NOTE = 'line one\nline two \\n back\\slash \u2028 😀 </script><script>alert(1)</script> <!-- @enduml';

/** A multi-line reply whose lines start like statements of each language. */
export const HOSTILE_REPLY = [
  'Cannot open <img src=x onerror=alert(1)>',
  '@enduml',
  'end',
  '%%{init: {"theme":"dark"}}%%',
  'wrap: style:x#f00; $$x$$ \u0007 [[http://x]] **b** //i//',
];

export const HOSTILE_TITLE = `"><script>alert('title')</script> %%{init} @enduml`;

export function hostileEvents(): TraceEvent[] {
  const b = new TraceBuilder().login().command('PASV');
  b.listen('server', 40000).reply(227, 'Entering Passive Mode (127,0,0,1,156,64).');
  b.connect('data', 'D1', 'client', 50002, 40000);
  b.command(`STOR ${HOSTILE_FILE}`).reply(150, `Opening BINARY mode data connection for /${HOSTILE_FILE}.`);
  b.transfer('D1', 'client', 4096).streamEnd('D1', 'client').reply(226, 'Transfer complete (4096 bytes); data connection closed.');
  b.note(HOSTILE_NOTE);
  b.command(`RETR ${HOSTILE_FILE}`);
  b.add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 550, lines: HOSTILE_REPLY });
  b.add({ type: 'ftp.reply', side: 'client', dir: 'received', channel: 'control', conn: 'C1', code: 550, lines: HOSTILE_REPLY });
  return b.quit().events;
}
