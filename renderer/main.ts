// The renderer's entry: connects to the host through the bridge, builds the panels, and redraws them
// from the playback state once per frame.

import type { MenuCommand } from '../core/api/labApi';
import type { DiagramModel, Mark, Row } from '../core/diagram/layout/diagramModel';
import { connectBridge } from './bridge';
import { createClassroomView } from './classroomPanel';
import { createControlsBar } from './controlsBar';
import { createDetailPanel } from './detailPanel';
import { createNarrationPanel, narrationFor } from './narrationPanel';
import { createQuizPanel } from './quizPanel';
import { createQuizSettings } from './quizSettings';
import { createStatechartPanel } from './statechartPanel';
import { createDiagramView } from './diagramView';
import { byId, element } from './dom';
import { installShortcuts } from './keyboard';
import { createOptionsPanel } from './optionsPanel';
import { createOptionFolds } from './optionFolds';
import { Playback } from './playback';
import type { PlaybackSnapshot } from './playbackView';
import { createExportDialog } from './exportDialog';
import { settingsLine } from './settingsLine';
import { openTraceFile, saveTraceFile } from './traceFiles';
import { createTranscriptView } from './transcriptPanel';
import { laneGapToFit } from '../core/diagram/layout/placeMarks';

/** A watched server's renders closer together than this are drawn without animation (each would cut the last short). */
const BUSY_RENDER_MS = 300;

/**
 * The zoom the diagram is laid out to be seen at: 1:1 at the desk (its smallest text, 12 px, at 12 px on a
 * laptop), 5/3 in presenter mode (20 px on the wall), each 2% over: the view can narrow a little after the layout
 * (a scrollbar, a panel settling) and fits again before the next layout, which must not take the text under its
 * minimum (CI measured 11.89 px once, at exactly 1:1). The lanes move closer together to make room for it.
 */
const READABLE_MARGIN = 1.02;
const READABLE_ZOOM = { desk: 1 * READABLE_MARGIN, presenter: (20 / 12) * READABLE_MARGIN } as const;

/** Which mark the detail panel explains for a step when nothing is hovered or selected. */
const PRIMARY: readonly Mark['kind'][] = [
  'message',
  'fin',
  'rst',
  'refused',
  'connect',
  'transfer',
  'marker',
  'listen',
  'note',
  'state',
  'close-badge',
  'segment',
  'kernel-state',
];

/** The step (as the step counter counts them, from 1) a trace event belongs to: the last row at or before it. */
function stepOfSeq(rows: readonly Row[], seq: number): number | undefined {
  let step: number | undefined;
  for (let i = 0; i < rows.length && rows[i]!.seq <= seq; i++) step = i + 1;
  return step;
}

function primaryMark(model: DiagramModel, step: number): Mark | undefined {
  const onStep = model.marks.filter((m) => m.step === step && m.kind !== 'connection');
  return onStep.sort((a, b) => PRIMARY.indexOf(a.kind) - PRIMARY.indexOf(b.kind))[0];
}

function start(win: Window): void {
  const doc = win.document;
  const body = doc.body;
  const options = createOptionsPanel(doc, { report: (text, tone) => playback.report(text, tone) });
  const diagram = createDiagramView(byId(doc, 'diagram') as unknown as SVGSVGElement, byId(doc, 'legend'));
  const detail = createDetailPanel(byId(doc, 'detail-body'));
  const narration = createNarrationPanel(byId(doc, 'narration-body'));
  const statecharts = createStatechartPanel(byId(doc, 'statecharts-body'), byId(doc, 'statecharts-tools'));
  const transcript = createTranscriptView(byId<HTMLOListElement>(doc, 'transcript'));
  const quiz = createQuizPanel(byId(doc, 'quiz'));
  const quizSettings = createQuizSettings(byId<HTMLInputElement>(doc, 'quiz-on'), byId(doc, 'quiz-kinds'));
  const folds = createOptionFolds(byId<HTMLFormElement>(doc, 'options'), () => ({
    session: options.read(),
    layers: options.layers(),
    breakpoints: options.breakpoints(),
    quizKinds: quizSettings.kinds(),
  }));
  const title = byId(doc, 'session-title');
  const caption = byId(doc, 'caption');
  const emptyHint = byId(doc, 'empty-hint');
  const saveButton = byId<HTMLButtonElement>(doc, 'save-trace');
  const exportButton = byId<HTMLButtonElement>(doc, 'export-svg');
  const presenterButton = byId<HTMLButtonElement>(doc, 'presenter');
  const statechartsButton = byId<HTMLButtonElement>(doc, 'show-statecharts');
  const fileInput = byId<HTMLInputElement>(doc, 'trace-file');
  const timeAxisButton = byId<HTMLButtonElement>(doc, 'time-axis');

  let snapshot: PlaybackSnapshot | undefined;
  let selected: Mark | undefined;
  let hovered: Mark | undefined;
  let presenter = false;
  // The state machines under the diagram (at the desk) or beside it (presenter mode), when asked for: the
  // diagram keeps the whole stage until then. Each mode keeps its own choice.
  const statechartsShown = { desk: false, presenter: false };
  let axis: 'step' | 'time' = 'step';
  let layers = options.layers();
  let frame: number | undefined;
  let renderedShown = -1;
  let renderedMeta: unknown;
  let currentMark: Mark | undefined;

  const bridge = connectBridge(win, (reason) => playback.report(`Lost the connection to the FTP Lab host (${reason}). Start it again and reload this page.`));
  // A watched server's sessions, one line each; the teacher picks those the diagram draws.
  const classroom = createClassroomView(doc, byId(doc, 'classroom'), (listener) => bridge.api.subscribe(listener));
  classroom.onFollow((sessions) => {
    const id = snapshot?.sessionId;
    if (id) bridge.api.request('follow', id, [...sessions]).catch((error: Error) => playback.report(`Could not follow those sessions: ${error.message}`));
  });
  const playback = new Playback(bridge.api, { setTimeout: (f, ms) => win.setTimeout(f, ms), clearTimeout: (h) => win.clearTimeout(h) }, (s) => {
    snapshot = s;
    classroom.show(s.watching !== undefined ? s.sessionId : undefined, s.traceFile);
    frame ??= win.requestAnimationFrame(render);
  });

  /** When the last live render was: a watched class sends rows many times a second, faster than they could animate. */
  let lastLiveRenderAt = Number.NEGATIVE_INFINITY;
  const animateMs = (s: PlaybackSnapshot) => {
    const now = win.performance.now();
    const busy = s.watching !== undefined && now - lastLiveRenderAt < BUSY_RENDER_MS;
    if (s.watching !== undefined) lastLiveRenderAt = now;
    if (busy) return 0;
    return s.playing ? (s.speed === 0 ? 120 : Math.min(600, 750 / s.speed)) : 450;
  };

  function showDetail(): void {
    const shown = hovered ?? selected ?? currentMark;
    detail.show(shown, hovered ? 'hover' : selected ? 'selected' : 'current');
    // Presenter mode's caption: what "What happened" says (one source), large, under the diagram: the narration,
    // its RFC section and, where the textbook tells the step differently, the correction. Hidden at the desk, where
    // it is not worth reading the trace through for it on every hover.
    if (!presenter) return caption.replaceChildren();
    const trace = snapshot?.trace;
    const scenario = typeof trace?.meta.scenario === 'string' ? trace.meta.scenario : undefined;
    const told = shown && trace ? narrationFor(trace.events, shown.seqs, scenario) : undefined;
    const text = told?.text ?? shown?.ariaLabel;
    const rfc = told ? told.rfc : shown?.rfc;
    caption.replaceChildren(
      ...(text ? [element(doc, 'span', { className: 'caption-text', text })] : []),
      ...(text && rfc ? [element(doc, 'span', { className: 'caption-rfc', text: `RFC ${rfc}` })] : []),
      ...(told?.textbook ? [element(doc, 'span', { className: 'caption-textbook', text: told.textbook })] : []),
    );
  }

  /** The marks recorded while the state picked in a statechart was active (spans excepted: they last the whole connection). */
  function producedIds(model: DiagramModel, events: Parameters<typeof statecharts.selectedRanges>[0]): ReadonlySet<string> {
    const ranges = statecharts.selectedRanges(events);
    if (ranges.length === 0) return new Set();
    const inRange = (seq: number) => ranges.some((r) => seq >= r.from && seq < r.to);
    return new Set(model.marks.filter((m) => m.kind !== 'connection' && m.seqs.some(inRange)).map((m) => m.id));
  }

  function render(): void {
    frame = undefined;
    const s = snapshot;
    if (!s) return;
    controls.update(s);
    options.showWatching(s.watching);
    emptyHint.hidden = s.trace !== undefined;
    saveButton.disabled = !s.trace || s.trace.events.length === 0;
    exportButton.disabled = saveButton.disabled;
    const trace = s.trace;
    if (!trace) {
      title.textContent = 'Pick a scenario and press Run';
      return;
    }
    // A new session or file (each arriving event makes a new trace value; the meta is the session's own).
    if (trace.meta !== renderedMeta) {
      renderedMeta = trace.meta;
      selected = undefined;
      hovered = undefined;
    }
    // While the quiz asks who connects to whom, the header does not say active or passive.
    title.textContent = trace.title + settingsLine(trace.meta, trace.events, quizSettings.kinds());
    const laneGap = laneGapToFit(diagram.contentWidthAt(READABLE_ZOOM[presenter ? 'presenter' : 'desk']), axis);
    const model = trace.upTo(s.shown, axis, layers, laneGap);
    const current = s.shown - 1;
    const moved = s.shown !== renderedShown;
    renderedShown = s.shown;
    if (selected && !model.marks.some((m) => m.id === selected?.id)) selected = undefined;
    diagram.render(model, {
      currentStep: current,
      newFromStep: s.animateFrom,
      animateMs: animateMs(s),
      presenter,
      selectedId: selected?.id,
      follow: moved,
      producedIds: producedIds(model, trace.events),
    });
    currentMark = primaryMark(model, current);
    showDetail();
    const rows = trace.rows;
    transcript.render(trace.transcript, rows[current]?.seq ?? 0, rows[current - 1]?.seq ?? 0);
    const scenario = typeof trace.meta.scenario === 'string' ? trace.meta.scenario : undefined;
    // With the kernel-states layer, a TIME_WAIT that began at this step is explained after the step's own narration.
    const timeWaits = model.marks.flatMap((m) =>
      m.kind === 'kernel-state' && m.state === 'TIME_WAIT' && m.step === current && !m.openAtStart ? m.seqs.slice(-1) : [],
    );
    narration.render(trace.events, currentMark?.seqs, scenario, timeWaits);
    // The reveal tells the step with the same words as "What happened".
    quiz.render(s, s.reveal && currentMark ? narrationFor(trace.events, currentMark.seqs, scenario) : undefined);
    // The machines as the current step left them: its own event and the state changes it caused, which
    // are recorded right after it (a FIN, then the data region moving to halfClosed), up to the next step.
    const next = rows[current + 1]?.seq;
    // Hidden, the machines are not worked out at all (on a long trace that was a fifth of the first draw); showing them renders again.
    if (body.classList.contains('statecharts-shown'))
      statecharts.render({
        events: trace.events,
        uptoSeq: current < 0 ? 0 : next !== undefined ? next - 1 : Number.POSITIVE_INFINITY,
        stepFromSeq: current < 0 ? Number.POSITIVE_INFINITY : (rows[current]?.seq ?? 0),
        stepOfSeq: (seq) => stepOfSeq(rows, seq),
      });
  }

  /** Step: with nothing loaded yet, starts the chosen scenario held before its first command. */
  function stepForward(): void {
    if (snapshot?.trace) playback.stepForward();
    else playback.run(options.read(), false);
  }

  const controls = createControlsBar(doc, {
    run: () => playback.run(options.read()),
    pause: () => playback.pause(),
    resume: () => playback.play(),
    stepBack: () => playback.stepBack(),
    stepForward,
    stop: () => playback.stop(),
    speed: (value) => playback.setSpeed(value),
    seek: (step) => playback.seek(step),
    zoomIn: () => diagram.zoomBy(1.25),
    zoomOut: () => diagram.zoomBy(0.8),
    zoomReset: () => diagram.fit(),
  });
  playback.setSpeed(Number(byId<HTMLSelectElement>(doc, 'speed').value));
  playback.setBreakpoints(options.breakpoints());
  options.onBreakpointsChange((breakpoints) => playback.setBreakpoints(breakpoints));
  options.onWatch((port) => playback.watch(port));
  playback.setQuizKinds(quizSettings.kinds());
  quizSettings.onChange((kinds) => playback.setQuizKinds(kinds));
  quiz.onAnswer((choice) => playback.answer(choice));
  options.onLayersChange((next) => {
    layers = next;
    frame ??= win.requestAnimationFrame(render);
  });

  /** Shows or hides the state machines as the current mode wants them, and fits the diagram to what is left. */
  const applyStatecharts = () => {
    const shown = statechartsShown[presenter ? 'presenter' : 'desk'];
    body.classList.toggle('statecharts-shown', shown);
    statechartsButton.setAttribute('aria-pressed', String(shown));
    win.requestAnimationFrame(() => {
      diagram.fit();
      statecharts.refit();
      transcript.reveal();
      frame ??= win.requestAnimationFrame(render);
    });
  };
  const togglePresenter = () => {
    presenter = !presenter;
    body.classList.toggle('presenter', presenter);
    presenterButton.setAttribute('aria-pressed', String(presenter));
    presenterButton.textContent = presenter ? 'Exit presenter mode' : 'Presenter mode';
    applyStatecharts();
    showDetail();
  };
  presenterButton.addEventListener('click', togglePresenter);
  const toggleStatecharts = () => {
    const mode = presenter ? 'presenter' : 'desk';
    statechartsShown[mode] = !statechartsShown[mode];
    applyStatecharts();
  };
  statechartsButton.addEventListener('click', toggleStatecharts);
  applyStatecharts();

  // Step axis by default; the time axis places rows by when they happened (loopback events are microseconds apart).
  timeAxisButton.addEventListener('click', () => {
    axis = axis === 'step' ? 'time' : 'step';
    timeAxisButton.setAttribute('aria-pressed', String(axis === 'time'));
    body.dataset.axis = axis;
    frame ??= win.requestAnimationFrame(render);
  });

  diagram.onResize(() => {
    frame ??= win.requestAnimationFrame(render);
  });

  statecharts.onSelect(() => {
    frame ??= win.requestAnimationFrame(render);
  });
  statecharts.onGoTo((step) => playback.seek(step));

  diagram.onHover((mark) => {
    hovered = mark;
    showDetail();
  });
  diagram.onSelect((mark) => {
    selected = mark;
    frame ??= win.requestAnimationFrame(render);
  });
  transcript.onSelect((seq) => {
    const rows = snapshot?.trace?.rows ?? [];
    const index = rows.findIndex((row) => row.seq >= seq);
    if (index >= 0) playback.seek(index + 1);
  });

  installShortcuts(doc, {
    togglePause: () => (snapshot?.trace ? playback.togglePause() : playback.run(options.read())),
    stepForward,
    stepBack: () => playback.stepBack(),
    first: () => playback.seek(0),
    last: () => playback.seek(Number.MAX_SAFE_INTEGER),
    togglePresenter,
    toggleStatecharts,
    answer: (choice) => playback.answer(choice),
  });

  byId(doc, 'open-trace').addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    openTraceFile(bridge.api, file).then(
      (trace) => playback.load(trace),
      (error: Error) => playback.report(`Could not open ${file.name}: ${error.message}`),
    );
  });
  const saveTrace = () => {
    const trace = snapshot?.trace;
    if (trace) saveTraceFile(doc, trace.toFile());
  };
  const exportDialog = createExportDialog(doc, bridge.api);
  const openExport = () => {
    const trace = snapshot?.trace;
    if (trace && trace.events.length > 0) exportDialog.open(trace.toFile(), layers, axis, quizSettings.kinds());
  };
  saveButton.addEventListener('click', saveTrace);
  exportButton.addEventListener('click', openExport);

  // The Electron shell's application menu sends its commands through the bridge (not part of HostMessage).
  const menuCommands: Record<MenuCommand, () => void> = {
    'trace.open': () => fileInput.click(),
    'trace.save': saveTrace,
    'trace.export': openExport,
    'session.run': () => playback.run(options.read()),
    'session.pause': () => playback.pause(),
    'session.step': stepForward,
    'session.stop': () => playback.stop(),
    'view.presenter': togglePresenter,
    'view.zoom-in': () => diagram.zoomBy(1.25),
    'view.zoom-out': () => diagram.zoomBy(0.8),
    'view.zoom-reset': () => diagram.fit(),
  };
  bridge.api.subscribe((message) => {
    if (message.type === 'menu.command') menuCommands[message.command]();
  });

  bridge.api.request('listScenarios').then(
    (list) => {
      options.setScenarios(list);
      folds.refresh();
    },
    (error: Error) => playback.report(`Could not list the scenarios: ${error.message}`),
  );
  body.dataset.host = bridge.host;
  body.dataset.ready = 'true';
  snapshot = playback.snapshot;
  render();
}

start(window);
