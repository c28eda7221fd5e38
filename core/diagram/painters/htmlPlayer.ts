// Paints a trace as one self-contained HTML file that replays the session offline in any browser: the
// diagram (the same SVG as the SVG export), the trace, and a small player that shows the marks step by step
// with the narration. Trace text reaches the page only as escaped SVG text, as JSON inside a
// <script type="application/json"> that no string in it can end, and through textContent.
// The controls stay above the diagram, which scrolls below them with its lane names held at its top.
// With the quiz on, core/quiz's questions (made here, at export time) are data too: the script only asks them.

import type { Narration } from '../../scenarios/narration';
import type { TraceFile } from '../../trace/traceEvent';
import type { DiagramModel } from '../layout/diagramModel';
import { escapeXml } from './escape';
import { exportModel, narrateSteps, type StepRange } from '../layout/exportModel';
import { themes, type ThemeName } from './palette';
import { paintSvg } from './svgPainter';
import { FRAME } from '../layout/placeMarks';
import { questionBefore, questionKinds } from '../../quiz/questionKinds.table';
import type { QuestionKindId } from '../../quiz/quizQuestion';

export interface HtmlPlayerOptions {
  readonly theme?: ThemeName;
  readonly range?: StepRange;
  readonly title?: string;
  readonly kernelStates?: boolean;
  readonly tcp?: boolean;
  /** 'time': rows spaced by the real time between them, arrows slanted from the sender's record to the receiver's. */
  readonly axis?: 'step' | 'time';
  /** Predict, then reveal: ask before each step of these kinds (none: no quiz). */
  readonly quizKinds?: readonly QuestionKindId[];
}

/** A question of core/quiz as the player asks it before its step: the choices in order, the right one's index. */
export interface PlayerQuestion {
  readonly kind: QuestionKindId;
  readonly prompt: string;
  readonly choices: readonly string[];
  readonly answer: number;
}

/** What the player script needs per step; every string in it is shown with textContent. */
export interface PlayerStep {
  /** The row's margin label: its step number, or on the time axis its time. */
  readonly label: string;
  /** Its step number in the whole diagram (from 1), as the app's counter and a range count it. */
  readonly number: number;
  /** On the time axis: its time (the margin label), said after the step number. */
  readonly time?: string;
  readonly y: number;
  /** Where the diagram of the steps so far ends (its lifelines' foot): what is still open is drawn down to here. */
  readonly reach: number;
  readonly summary: string;
  readonly narration?: string;
  readonly rfc?: string;
  readonly textbook?: string;
  /** The quiz's question before this step, when the quiz is on and the step asks one. */
  readonly question?: PlayerQuestion;
}

export interface PlayerData {
  readonly version: 1;
  readonly title: string;
  readonly rowHeight: number;
  readonly steps: readonly PlayerStep[];
  /**
   * What grows as the steps go by, as in the app: data connection spans and kernel TCP state bands, each drawn
   * down to the current step's reach until the step it ends at (for one still open at the end: the last).
   */
  readonly spans: readonly { readonly id: string; readonly stepFrom: number; readonly stepTo: number; readonly y1: number }[];
  /** The quiz, when on: the titles of the kinds of step it asks before (the questions are on their steps). */
  readonly quiz?: { readonly kinds: readonly string[] };
}

/**
 * JSON that is safe inside a <script> element: '<', '>' and '&' as \u escapes (so neither '</script' nor
 * '<!--' can appear), and U+2028/U+2029 too (line terminators in older JavaScript). JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Each step's question, by the same core/quiz code the app asks with (questionBefore, on the event the row
 * shows). The first row is not asked: the page opens showing it.
 */
function questionsOf(trace: TraceFile, model: DiagramModel, kinds: readonly QuestionKindId[]): Map<number, PlayerQuestion> {
  const questions = new Map<number, PlayerQuestion>();
  if (kinds.length === 0) return questions;
  const scenario = typeof trace.meta.scenario === 'string' ? trace.meta.scenario : undefined;
  model.rows.forEach((row, index) => {
    const question = index > 0 ? questionBefore(trace.events, row.seq, kinds, scenario) : undefined;
    if (question) questions.set(index, { kind: question.kind, prompt: question.prompt, choices: question.choices, answer: question.answer });
  });
  return questions;
}

export interface PlayerDataOptions {
  /** The quiz's kinds (none: no quiz). */
  readonly quizKinds?: readonly QuestionKindId[];
  /** The whole diagram's number of the model's first row: a range's first step (default 1). */
  readonly firstStep?: number;
}

export function playerData(trace: TraceFile, model: DiagramModel, options: PlayerDataOptions = {}): PlayerData {
  const quizKinds = options.quizKinds ?? [];
  const firstStep = options.firstStep ?? 1;
  const narration = narrateSteps(trace, model);
  const questions = questionsOf(trace, model, quizKinds);
  const summaries = new Map<number, string[]>();
  for (const mark of model.marks) {
    if (mark.kind === 'connection') continue;
    const list = summaries.get(mark.step) ?? [];
    list.push(mark.kind === 'close-badge' ? mark.text : mark.ariaLabel);
    summaries.set(mark.step, list);
  }
  // The app draws step N as the diagram of the first N steps, whose lifelines end this far under its last row
  // (the row's segment lines included): the same margin as under the whole diagram's last row.
  const lastRow = model.rows.at(-1);
  const footOf = (row: DiagramModel['rows'][number]) => row.y + (row.extra ?? 0) + model.rowHeight / 2;
  const margin = lastRow ? model.lifelines.y2 - footOf(lastRow) : 0;
  const steps = model.rows.map((row, index): PlayerStep => {
    const told: Narration | undefined = narration.get(row.seq);
    const question = questions.get(index);
    return {
      label: row.label,
      // A range's rows are consecutive steps of the whole diagram (the player has no note rows).
      number: firstStep + index,
      ...(model.timeAxis ? { time: row.label } : {}),
      y: row.y,
      reach: footOf(row) + margin,
      summary: (summaries.get(row.step) ?? []).join(' — '),
      ...(told ? { narration: told.text } : {}),
      ...(told?.rfc ? { rfc: told.rfc } : {}),
      ...(told?.textbook ? { textbook: told.textbook } : {}),
      ...(question ? { question } : {}),
    };
  });
  const spans = model.marks.flatMap((m) =>
    m.kind === 'connection' || m.kind === 'kernel-state' ? [{ id: m.id, stepFrom: m.stepFrom, stepTo: m.openAtEnd ? model.steps : m.stepTo, y1: m.y1 }] : [],
  );
  const quiz = quizKinds.length > 0 ? { quiz: { kinds: questionKinds.filter((k) => quizKinds.includes(k.id)).map((k) => k.title) } } : {};
  return { version: 1, title: model.title, rowHeight: model.rowHeight, steps, spans, ...quiz };
}

/**
 * The band of the diagram that holds its title and lane boxes, down to just above the first row; sticky at
 * `top` (negative: the title scrolls away, the lane boxes stay).
 */
const LANE_STRIP = { height: FRAME.laneBoxY + FRAME.laneBoxHeight + FRAME.rowsGap / 2, top: -(FRAME.laneBoxY - 6) } as const;

export function paintHtmlPlayer(trace: TraceFile, options: HtmlPlayerOptions = {}): string {
  const theme = themes[options.theme ?? 'light'];
  const model = exportModel(trace, {
    ...(options.range ? { range: options.range } : {}),
    ...(options.title ? { title: options.title } : {}),
    ...(options.kernelStates ? { kernelStates: true } : {}),
    ...(options.tcp ? { tcp: true } : {}),
    ...(options.axis ? { axis: options.axis } : {}),
  });
  const svg = paintSvg(model, { theme: theme.name, idPrefix: 'player' });
  // The lane names again, alone, held at the top of the scrolling diagram (it lies over the diagram's own at first).
  const lanes = paintSvg({ ...model, marks: [], rows: [] }, { theme: theme.name, idPrefix: 'player-lanes', window: { top: 0, bottom: LANE_STRIP.height } });
  const data = playerData(trace, model, {
    ...(options.quizKinds ? { quizKinds: options.quizKinds } : {}),
    ...(options.range ? { firstStep: options.range.from } : {}),
  });
  const title = escapeXml(model.title);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${PLAYER_SCRIPT_SHA256}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const last = Math.max(1, model.steps);
  return `<!doctype html>
<html lang="en" class="theme-${theme.name}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="FTP Lab">
<title>${title} · FTP Lab player</title>
<style>${pageCss(theme.name)}</style>
</head>
<body data-step="0" data-steps="${model.steps}">
<header class="bar">
<div class="top">
<h1>${title}</h1>
<div class="controls" role="toolbar" aria-label="Playback">
<button type="button" id="first" title="First step (Home)" aria-label="First step">⇤</button>
<button type="button" id="prev" title="Previous step (←)" aria-label="Previous step">◀</button>
<button type="button" id="play" title="Play or pause (Space)" aria-pressed="false">Play</button>
<button type="button" id="next" title="Next step (→)" aria-label="Next step">▶</button>
<button type="button" id="last" title="Last step (End)" aria-label="Last step">⇥</button>
<input type="range" id="scrub" min="1" max="${last}" value="1" aria-label="Step">
<span id="counter" class="counter${model.timeAxis ? ' timed' : ''}">Step 1 of ${model.steps}</span>
<label class="speed">Speed <select id="speed"><option value="2000">slow</option><option value="1000" selected>normal</option><option value="350">fast</option></select></label>
</div>
</div>
${data.quiz ? QUIZ_CARD : ''}<section class="narration" aria-live="polite">
<p id="summary" class="summary"></p>
<p id="narration" class="text"></p>
<p id="rfc" class="rfc"></p>
<p id="textbook" class="textbook"></p>
</section>
</header>
<div id="scroller" class="scroller">
<div class="lane-strip" aria-hidden="true">
${lanes}</div>
<main id="diagram">
${svg}</main>
<footer>Recorded with FTP Lab: ${escapeXml(trace.meta.tool)}, ${escapeXml(trace.meta.createdAt)}. Keys: → next, ← back, Space play/pause, Home/End first/last. The trace is inside this file (script#ftp-lab-trace).</footer>
</div>
<script type="application/json" id="ftp-lab-player-data">${jsonForScript(data)}</script>
<script type="application/json" id="ftp-lab-trace">${jsonForScript(trace)}</script>
<script>${PLAYER_SCRIPT}</script>
</body>
</html>
`;
}

/** The quiz's card under the controls: the script fills it (score, question, choices, verdict) with textContent. */
const QUIZ_CARD = `<section id="quiz" class="quiz" aria-live="polite" aria-label="Quiz">
<p id="quiz-score" class="quiz-score"></p>
<p id="quiz-prompt" class="quiz-prompt"></p>
<div id="quiz-choices" class="quiz-choices" role="group" aria-label="Choices"></div>
<p id="quiz-verdict" class="quiz-verdict"></p>
</section>
`;

/**
 * The page is the controls above a scrolling box (not a sticky header over a scrolling page, which covered
 * the lane names). In the box, the lane strip sticks at the top and the diagram starts under it, pulled up by
 * the strip's height so the two coincide until the rows scroll.
 */
function pageCss(name: ThemeName): string {
  const t = themes[name];
  return [
    `*{box-sizing:border-box}`,
    `html,body{height:100%}`,
    `body{margin:0;display:flex;flex-direction:column;overflow:hidden;font:15px/1.45 system-ui,'Segoe UI',Helvetica,Arial,'DejaVu Sans',sans-serif;background:${t.background};color:${t.text}}`,
    `.bar{flex:none;position:relative;z-index:2;background:${t.background};border-bottom:1px solid ${t.laneStroke};box-shadow:0 2px 6px rgba(0,0,0,0.12)}`,
    `.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:10px 16px;background:${t.laneFill}}`,
    `h1{font-size:17px;margin:0;font-weight:600}`,
    `.controls{display:flex;align-items:center;gap:6px;flex-wrap:wrap}`,
    `button,select{font:inherit;color:${t.text};background:${t.background};border:1px solid ${t.laneStroke};border-radius:6px;padding:3px 10px;cursor:pointer}`,
    `button:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid ${t.data[0]};outline-offset:1px}`,
    `#play{min-width:68px}`,
    `#scrub{width:min(40vw,420px)}`,
    `.counter{font-variant-numeric:tabular-nums;min-width:110px}`,
    // On the time axis the counter says the time too ("Step 12 of 47 · 15.4 ms"): room for it, so the controls after it stay put.
    `.counter.timed{min-width:190px}`,
    `.speed{color:${t.muted};font-size:13px}`,
    `.narration{margin:0;padding:8px 16px;min-height:64px}`,
    `.narration p{margin:2px 0;max-width:1100px}`,
    `.summary{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px;color:${t.muted}}`,
    `.rfc{font-size:13px;color:${t.muted}}`,
    `.textbook{color:${t.error}}`,
    `.textbook:empty,.rfc:empty,.summary:empty{display:none}`,
    `.scroller{flex:1;min-height:0;overflow:auto}`,
    `.lane-strip{position:sticky;top:${LANE_STRIP.top}px;z-index:1;width:max-content;height:${LANE_STRIP.height}px;padding:0 16px;background:${t.background};box-shadow:0 3px 4px -3px rgba(0,0,0,0.25)}`,
    `.lane-strip svg{display:block}`,
    `main{width:max-content;margin-top:-${LANE_STRIP.height}px;padding:0 16px 8px}`,
    `main svg{display:block;max-width:none}`,
    `svg .is-future{display:none}`,
    `svg .player-current{fill:${t.data[4]};fill-opacity:0.16}`,
    `footer{padding:12px 16px;font-size:12px;color:${t.muted}}`,
    `.quiz{margin:0;padding:8px 16px;border-top:1px solid ${t.laneStroke};border-left:4px solid ${t.data[0]}}`,
    `.quiz.asking{background:${t.laneFill}}`,
    `.quiz.right{border-left-color:${t.kernel.open}}`,
    `.quiz.wrong{border-left-color:${t.error}}`,
    `.quiz p{margin:2px 0;max-width:1100px}`,
    `.quiz-score{font-size:13px;color:${t.muted}}`,
    `.quiz-prompt{font-weight:600}`,
    `.quiz-choices{display:flex;flex-wrap:wrap;gap:6px 10px;margin:6px 0}`,
    `.quiz-choices:empty,.quiz-prompt:empty,.quiz-verdict:empty{display:none}`,
    `.quiz-choices kbd{display:inline-block;min-width:1.4em;margin-right:6px;padding:0 4px;border:1px solid ${t.laneStroke};border-radius:4px;font:600 13px/1.4 'DejaVu Sans Mono',Menlo,Consolas,monospace;text-align:center}`,
    `.quiz.wrong .quiz-verdict{color:${t.error}}`,
  ].join('\n');
}

/**
 * The player. Plain ES2017, no imports, no eval, nothing from the trace in its source (that would change its
 * CSP hash): it reads the data block with JSON.parse and writes text only with textContent.
 */
export const PLAYER_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ftp-lab-player-data').textContent);
  var svg = document.querySelector('#diagram svg');
  var steps = data.steps;
  var total = steps.length;
  var byStep = [];
  var spanMarks = {};
  var i;
  for (i = 0; i < total; i++) byStep.push([]);
  Array.prototype.forEach.call(svg.querySelectorAll('g.mark[data-step]'), function (g) {
    var s = Number(g.getAttribute('data-step'));
    if (byStep[s]) byStep[s].push(g);
    spanMarks[g.getAttribute('data-mark')] = g;
  });
  var spans = data.spans.map(function (span) {
    var g = spanMarks[span.id];
    var rects = g ? Array.prototype.slice.call(g.querySelectorAll('rect.span, rect.kernel-band')) : [];
    return { span: span, rects: rects, heights: rects.map(function (r) { return Number(r.getAttribute('height')); }) };
  });
  var highlight = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  highlight.setAttribute('class', 'player-current');
  highlight.setAttribute('x', '0');
  highlight.setAttribute('width', svg.getAttribute('width'));
  highlight.setAttribute('height', String(data.rowHeight));
  var rowsGroup = svg.querySelector('g.rows');
  if (rowsGroup && rowsGroup.nextSibling) svg.insertBefore(highlight, rowsGroup.nextSibling); else svg.appendChild(highlight);

  var $ = function (id) { return document.getElementById(id); };
  var counter = $('counter'), scrub = $('scrub'), play = $('play'), speed = $('speed');
  var scroller = $('scroller'), strip = document.querySelector('.lane-strip');
  var current = total - 1;
  var timer = null;

  function setFuture(s, future) {
    var list = byStep[s] || [];
    for (var k = 0; k < list.length; k++) list[k].classList.toggle('is-future', future);
  }

  function show(step) {
    if (total === 0) return;
    step = Math.max(0, Math.min(total - 1, step));
    var lo = Math.min(step, current), hi = Math.max(step, current);
    for (var s = lo; s <= hi; s++) setFuture(s, s > step);
    current = step;
    var row = steps[step];
    spans.forEach(function (x) {
      var visible = step >= x.span.stepTo ? null : row.reach - x.span.y1;
      x.rects.forEach(function (r, k) {
        var h = visible === null ? x.heights[k] : Math.max(2, Math.min(x.heights[k], visible));
        r.setAttribute('height', String(h));
      });
    });
    highlight.setAttribute('y', String(row.y - data.rowHeight / 2));
    // "Step 12 of 47"; of a range, "Step 14 (3 of 7 shown)"; on the time axis, the row's time after it.
    var place = row.number === step + 1 ? 'Step ' + row.number + ' of ' + total : 'Step ' + row.number + ' (' + (step + 1) + ' of ' + total + ' shown)';
    counter.textContent = row.time ? place + ' · ' + row.time : place;
    scrub.value = String(step + 1);
    $('summary').textContent = row.summary || '';
    $('narration').textContent = row.narration || '';
    $('rfc').textContent = row.rfc ? 'RFC ' + row.rfc : '';
    $('textbook').textContent = row.textbook || '';
    document.body.setAttribute('data-step', String(step + 1));
    asking = -1;
    renderQuiz();
    reveal();
  }

  // The quiz (when the export has it): a step whose row carries a question is not shown until it is answered.
  // Moving on stops before the first such step not answered yet; going back asks nothing.
  var quiz = data.quiz ? { answered: {}, asked: 0, right: 0 } : null;
  var asking = -1;

  function go(target) {
    target = Math.max(0, Math.min(total - 1, target));
    if (quiz) {
      for (var s = current + 1; s <= target; s++) {
        if (steps[s].question && !(s in quiz.answered)) {
          pause();
          if (current !== s - 1) show(s - 1);
          asking = s;
          renderQuiz();
          return;
        }
      }
    }
    show(target);
  }

  function answer(choice) {
    if (asking < 0) return;
    var q = steps[asking].question;
    if (!(choice >= 0 && choice < q.choices.length)) return;
    quiz.answered[asking] = choice;
    quiz.asked += 1;
    if (choice === q.answer) quiz.right += 1;
    show(asking);
  }

  function renderQuiz() {
    if (!quiz) return;
    var card = $('quiz'), choices = $('quiz-choices');
    $('quiz-score').textContent = quiz.asked === 0 ? 'Quiz: no questions yet' : 'Score: ' + quiz.right + ' of ' + quiz.asked + ' right';
    while (choices.firstChild) choices.removeChild(choices.firstChild);
    var q = asking >= 0 ? steps[asking].question : null;
    var revealed = asking < 0 && (current in quiz.answered) ? steps[current].question : null;
    card.className = 'quiz' + (q ? ' asking' : revealed ? (quiz.answered[current] === revealed.answer ? ' revealed right' : ' revealed wrong') : '');
    if (q) {
      $('quiz-prompt').textContent = q.prompt;
      $('quiz-verdict').textContent = '';
      q.choices.forEach(function (text, k) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'quiz-choice';
        button.setAttribute('data-choice', String(k));
        var key = document.createElement('kbd');
        key.textContent = String(k + 1);
        var label = document.createElement('span');
        label.textContent = text;
        button.appendChild(key);
        button.appendChild(label);
        button.addEventListener('click', function () { answer(k); });
        choices.appendChild(button);
      });
    } else if (revealed) {
      var chosen = quiz.answered[current];
      var right = revealed.choices[revealed.answer];
      $('quiz-prompt').textContent = revealed.prompt;
      $('quiz-verdict').textContent = chosen === revealed.answer ? 'Right: ' + right + '. What happened is told below.'
        : 'Not this time: you chose ' + revealed.choices[chosen] + '; the answer is ' + right + '. What happened is told below.';
    } else {
      $('quiz-prompt').textContent = '';
      $('quiz-verdict').textContent = 'Step on: a question comes before each step of these kinds: ' + data.quiz.kinds.join('; ') + '.';
    }
  }

  // Keeps the current row in view: below the lane strip, above the box's bottom edge.
  function reveal() {
    var box = highlight.getBoundingClientRect();
    var top = strip.getBoundingClientRect().bottom;
    var bottom = scroller.getBoundingClientRect().top + scroller.clientHeight;
    if (box.top < top) scroller.scrollTop += box.top - top - data.rowHeight;
    else if (box.bottom > bottom) scroller.scrollTop += box.bottom - bottom + data.rowHeight;
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  }

  function start() {
    if (current >= total - 1) show(0);
    timer = setInterval(function () {
      if (current >= total - 1) pause(); else go(current + 1);
    }, Number(speed.value) || 1000);
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
  }

  function toggle() { if (timer === null) start(); else pause(); }
  function step(by) { pause(); if (by > 0) go(current + by); else show(current + by); }

  $('first').addEventListener('click', function () { pause(); show(0); });
  $('prev').addEventListener('click', function () { step(-1); });
  $('next').addEventListener('click', function () { step(1); });
  $('last').addEventListener('click', function () { pause(); go(total - 1); });
  play.addEventListener('click', toggle);
  scrub.addEventListener('input', function () {
    pause();
    var target = Number(scrub.value) - 1;
    if (target > current) go(target); else show(target);
    scrub.value = String(current + 1);
  });
  speed.addEventListener('change', function () { if (timer !== null) { pause(); start(); } });
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.tagName === 'SELECT' || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    var action = { ' ': toggle, ArrowRight: function () { step(1); }, ArrowLeft: function () { step(-1); },
      Home: function () { pause(); show(0); }, End: function () { pause(); go(total - 1); } }[event.key];
    // Keys 1-4 answer the question on screen (as its buttons do).
    if (!action && asking >= 0 && /^[1-4]$/.test(event.key)) action = function () { answer(Number(event.key) - 1); };
    if (!action) return;
    event.preventDefault();
    action();
  });
  show(0);
})();
`;

/**
 * The player script's SHA-256 (UTF-8, base64): the hash the Content-Security-Policy allows it by (CSP 3,
 * "hash-source"). Written down rather than computed, as core/ has no hash function to hand; the player test
 * recomputes it from PLAYER_SCRIPT and fails when the script changes without it.
 */
export const PLAYER_SCRIPT_SHA256 = 'iIX/VbET5GjCcK2aIacSbctkrmXTYjm3BsLVHhrCSvE=';
