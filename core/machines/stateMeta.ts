// What every state of the session machines carries besides its `description`: the few plain words its box in
// the statechart panel shows (XState's `meta`, typed by `setup({ types: { meta } })`).

export interface StateMeta {
  /** 'Waiting for the reply', not 'awaitingReply'. */
  readonly label: string;
}
