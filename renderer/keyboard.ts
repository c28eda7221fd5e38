// Keyboard shortcuts: space pauses and resumes, → steps forward, ← steps back, Home/End jump, P toggles presenter
// mode, M shows or hides the state machines, 1–4 answer the quiz's question.

export interface ShortcutActions {
  togglePause(): void;
  stepForward(): void;
  stepBack(): void;
  first(): void;
  last(): void;
  togglePresenter(): void;
  toggleStatecharts(): void;
  /** The quiz's choice (0 for key 1); ignored when no question is asked. */
  answer(choice: number): void;
}

/** Keys typed into a text field or a list stay there; everywhere else they drive the session. */
function isEditing(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  // An open modal dialog (File → Export) keeps its keys: space presses its buttons, arrows move in its fields.
  if (target.closest('dialog[open]')) return true;
  if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'button', 'submit'].includes(target.type);
  return (target as HTMLElement).isContentEditable;
}

export function installShortcuts(doc: Document, actions: ShortcutActions): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey || isEditing(event.target)) return;
    const action: (() => void) | undefined = {
      ' ': actions.togglePause,
      ArrowRight: actions.stepForward,
      ArrowLeft: actions.stepBack,
      Home: actions.first,
      End: actions.last,
      p: actions.togglePresenter,
      P: actions.togglePresenter,
      m: actions.toggleStatecharts,
      M: actions.toggleStatecharts,
      '1': () => actions.answer(0),
      '2': () => actions.answer(1),
      '3': () => actions.answer(2),
      '4': () => actions.answer(3),
    }[event.key];
    if (!action) return;
    // A focused button would also "click" on space: the shortcut replaces that.
    event.preventDefault();
    action();
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}
