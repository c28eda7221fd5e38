// The session toolbar: Run, Pause, Resume, Step back, Step, Stop, speed and the scrubber, enabled as the
// playback state allows, and the status line above the diagram.

import { byId } from './dom';
import type { PlaybackSnapshot } from './playbackView';

export interface ControlActions {
  run(): void;
  pause(): void;
  resume(): void;
  stepBack(): void;
  stepForward(): void;
  stop(): void;
  speed(stepsPerSecond: number): void;
  seek(step: number): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomReset(): void;
}

export interface ControlsBar {
  update(snapshot: PlaybackSnapshot): void;
}

export function createControlsBar(doc: Document, actions: ControlActions): ControlsBar {
  const button = (id: string, action: () => void) => {
    const element = byId<HTMLButtonElement>(doc, id);
    element.addEventListener('click', () => action());
    return element;
  };
  const run = button('run', actions.run);
  const pause = button('pause', actions.pause);
  const resume = button('resume', actions.resume);
  const back = button('step-back', actions.stepBack);
  const step = button('step', actions.stepForward);
  const stop = button('stop', actions.stop);
  button('zoom-in', actions.zoomIn);
  button('zoom-out', actions.zoomOut);
  button('zoom-reset', actions.zoomReset);
  const speed = byId<HTMLSelectElement>(doc, 'speed');
  const scrub = byId<HTMLInputElement>(doc, 'scrub');
  const counter = byId(doc, 'step-counter');
  const status = byId(doc, 'status');
  speed.addEventListener('change', () => actions.speed(Number(speed.value)));
  scrub.addEventListener('input', () => actions.seek(Number(scrub.value)));

  return {
    update(s) {
      const hasTrace = s.trace !== undefined;
      run.textContent = s.live ? '↻ Restart' : '▶ Run';
      pause.disabled = !s.playing;
      resume.disabled = s.playing || !hasTrace || (!s.live && s.total === 0);
      back.disabled = s.shown <= 0;
      step.disabled = hasTrace && !s.live && s.shown >= s.total;
      step.title = hasTrace ? 'Step forward (→): the client sends its next message' : 'Start the scenario held before its first command (→)';
      stop.disabled = !s.live;
      scrub.max = String(s.total);
      scrub.value = String(s.shown);
      scrub.disabled = !hasTrace || s.total === 0;
      counter.textContent = `step ${s.shown} / ${s.total}`;
      status.textContent = s.status.text;
      status.dataset.tone = s.status.tone;
      doc.body.dataset.playing = String(s.playing);
    },
  };
}
