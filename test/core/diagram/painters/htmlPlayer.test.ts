// paintHtmlPlayer: one self-contained page; the trace and the player's data inside script elements that no
// string can end; a Content-Security-Policy that allows the player's own script and nothing else.
// (Chromium opens and steps through it in test/e2e/htmlPlayer.e2e.test.ts.)

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { jsonForScript, paintHtmlPlayer, PLAYER_SCRIPT, PLAYER_SCRIPT_SHA256, type PlayerData } from '../../../../core/diagram/painters/htmlPlayer';
import type { TraceFile } from '../../../../core/trace/traceEvent';
import { exportModel } from '../../../../core/diagram/layout/exportModel';
import { questionBefore } from '../../../../core/quiz/questionKinds.table';
import { QUESTION_KINDS } from '../../../../core/quiz/quizQuestion';
import { fixtures } from '../fixtures';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_TITLE, hostileEvents } from '../hostileTrace';

const hostile: TraceFile = {
  format: 'ftp-lab-trace',
  version: 1,
  meta: { createdAt: '2026-01-01T00:00:00Z', tool: 'test </script><script>alert(1)</script>', title: HOSTILE_TITLE, passwordsMasked: true },
  events: hostileEvents(),
};

const scripts = (html: string) => [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));

describe('jsonForScript', () => {
  it('leaves nothing that could end a script element or start a comment, and parses back unchanged', () => {
    const value = { name: '</script><!-- <script> & \u2028\u2029 Größe_文件' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('PLAYER_SCRIPT_SHA256', () => {
  // With Node's WebCrypto (the global `crypto`, node:crypto's webcrypto): test/core keeps to core's rules, no node:* import.
  it('is the SHA-256 of PLAYER_SCRIPT, recomputed (change the script, change the hash)', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(PLAYER_SCRIPT)));
    expect(PLAYER_SCRIPT_SHA256).toBe(btoa(String.fromCharCode(...digest)));
  });
});

describe('paintHtmlPlayer', () => {
  const html = paintHtmlPlayer(hostile);

  it('has exactly three script elements: the player data, the trace, and the player', () => {
    expect(scripts(html).map((s) => s.attrs)).toEqual([' type="application/json" id="ftp-lab-player-data"', ' type="application/json" id="ftp-lab-trace"', '']);
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
  });

  it('carries the trace whole, and the player data, as JSON that parses back', () => {
    const [data, trace] = scripts(html)
      .slice(0, 2)
      .map((s) => JSON.parse(s.body) as unknown);
    expect(trace).toEqual(JSON.parse(JSON.stringify(hostile)));
    const player = data as PlayerData;
    expect(player.steps).toHaveLength(layoutTrace(hostile.events).steps);
    expect(player.steps[10]).toMatchObject({ label: '11', summary: `client → server: STOR ${HOSTILE_FILE}` });
    expect(player.steps[10]?.narration).toMatch(/^The client sends STOR on the control connection/);
    expect(player.steps.map((s) => s.summary)).toContain(`note: ${HOSTILE_NOTE}`);
  });

  it('a Content-Security-Policy allows only the player script (by its hash), no network, no plugins', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`script-src 'sha256-${PLAYER_SCRIPT_SHA256}'`);
    expect(csp).toContain("default-src 'none'");
    expect(scripts(html)[2]?.body).toBe(PLAYER_SCRIPT);
  });

  it('trace text in the markup is escaped (the title, the footer, the diagram)', () => {
    expect(html).toContain('<title>&quot;&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;');
    expect(html).toContain('<h1>&quot;&gt;&lt;script&gt;');
    expect(html).toContain('test &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const outsideScripts = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
    expect(outsideScripts).not.toMatch(/<script|<img|<foreignObject|<iframe|<object/i);
    // Text may say "onerror=" (it is the file's name); no element may have an on* attribute.
    const attributes = [...outsideScripts.matchAll(/<[A-Za-z][\w:-]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].flatMap((tag) =>
      [...(tag[1] ?? '').matchAll(/\s([\w:-]+)(?:="[^"]*")?/g)].map((a) => a[1] ?? ''),
    );
    expect(attributes.length).toBeGreaterThan(100);
    expect(attributes.filter((name) => /^on/i.test(name))).toEqual([]);
  });

  it('the player script writes text with textContent only', () => {
    expect(PLAYER_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('a range: the rows of those steps, numbered as in the full diagram', () => {
    const part = paintHtmlPlayer(fixtures.download, { range: { from: 12, to: 18 }, theme: 'dark' });
    const data = JSON.parse(scripts(part)[0]?.body ?? '{}') as PlayerData;
    expect(data.steps.map((s) => s.label)).toEqual(['12', '13', '14', '15', '16', '17', '18']);
    expect(data.steps.map((s) => s.number)).toEqual([12, 13, 14, 15, 16, 17, 18]);
    expect(data.steps.some((s) => s.time !== undefined)).toBe(false);
    expect(part).toContain('<html lang="en" class="theme-dark">');
  });
});

describe('paintHtmlPlayer with the quiz', () => {
  const trace = fixtures.textbookUpload;
  const dataOf = (html: string) => JSON.parse(scripts(html)[0]?.body ?? '{}') as PlayerData;

  it('off by default: no card, no questions, the same page as before', () => {
    const html = paintHtmlPlayer(trace);
    expect(html).not.toContain('id="quiz"');
    expect(dataOf(html).quiz).toBeUndefined();
    expect(dataOf(html).steps.some((s) => s.question)).toBe(false);
    expect(paintHtmlPlayer(trace, { quizKinds: [] })).toBe(html);
  });

  it("each step's question is core/quiz's, asked of the event the row shows (the first row excepted: the page opens on it)", () => {
    const kinds = ['data.close', 'reply.2yz'] as const;
    const html = paintHtmlPlayer(trace, { quizKinds: kinds });
    const data = dataOf(html);
    const rows = exportModel(trace).rows;
    const expected = rows.map((row, i) => {
      const q = i > 0 ? questionBefore(trace.events, row.seq, kinds, 'textbook-upload') : undefined;
      return q && { kind: q.kind, prompt: q.prompt, choices: q.choices, answer: q.answer };
    });
    expect(data.steps.map((s) => s.question)).toEqual(expected);
    expect(data.steps.filter((s) => s.question).map((s) => `${s.label} ${s.question!.kind}`)).toEqual([
      '2 reply.2yz',
      '6 reply.2yz',
      '8 reply.2yz',
      '10 reply.2yz',
      '12 reply.2yz',
      '15 reply.2yz',
      '20 data.close',
      '22 reply.2yz',
      '24 reply.2yz',
    ]);
    // STOR's completion: the textbook's 250 is a choice beside the 226 the server sent.
    expect(data.steps[21]?.question).toMatchObject({
      prompt: 'Which reply does the server send next, to STOR?',
      choices: ['226', '250', '425', '426'],
      answer: 0,
    });
    expect(data.quiz?.kinds).toEqual(['Who closes the data connection (its first FIN)', 'Replies 2yz (completion: 200, 226, 250 …)']);
    expect(html).toContain('<section id="quiz" class="quiz"');
  });

  it('a hostile trace: questions are data in the JSON block, never markup', () => {
    const html = paintHtmlPlayer(hostile, { quizKinds: QUESTION_KINDS });
    expect(dataOf(html).steps.filter((s) => s.question).length).toBeGreaterThan(3);
    expect(html.match(/<script/gi)).toHaveLength(3);
    const outsideScripts = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
    expect(outsideScripts).not.toContain('Which reply');
  });
});

describe('paintHtmlPlayer on the time axis', () => {
  it('each step keeps its number, and its time beside it (the margin label): a range too', () => {
    const whole = JSON.parse(scripts(paintHtmlPlayer(fixtures.download, { axis: 'time' }))[0]?.body ?? '{}') as PlayerData;
    const model = exportModel(fixtures.download, { axis: 'time' });
    expect(whole.steps.map((s) => s.number)).toEqual(model.rows.map((_, i) => i + 1));
    expect(whole.steps.map((s) => s.time)).toEqual(model.rows.map((r) => r.label));
    expect(whole.steps.every((s) => / m?s$/.test(s.time ?? ''))).toBe(true);
    const part = JSON.parse(scripts(paintHtmlPlayer(fixtures.download, { axis: 'time', range: { from: 12, to: 18 } }))[0]?.body ?? '{}') as PlayerData;
    expect(part.steps.map((s) => s.number)).toEqual([12, 13, 14, 15, 16, 17, 18]);
    expect(part.steps.map((s) => s.time)).toEqual(whole.steps.slice(11, 18).map((s) => s.time));
  });
});
