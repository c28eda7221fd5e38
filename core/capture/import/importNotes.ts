// What an import could not reconstruct, in plain sentences for the trace's meta: each kind of problem said
// once with its count (10^6 odd packets make one sentence, not 10^6), single findings said as they are.

/** At most this many distinct sentences are kept; a hostile file cannot grow the list without bound. */
const MAX_SENTENCES = 200;

export class ImportNotes {
  readonly #counted = new Map<string, { n: number; sentence: (n: number) => string }>();
  readonly #said: string[] = [];
  #dropped = 0;

  /** One finding, said as it is. */
  say(sentence: string): void {
    if (this.#said.length < MAX_SENTENCES) this.#said.push(sentence);
    else this.#dropped += 1;
  }

  /** One more of a kind of finding: said once at the end, with how many there were. */
  count(kind: string, sentence: (n: number) => string, by = 1): void {
    const entry = this.#counted.get(kind);
    if (entry) entry.n += by;
    else if (this.#counted.size < MAX_SENTENCES) this.#counted.set(kind, { n: by, sentence });
    else this.#dropped += by;
  }

  /** Every sentence: the single findings in order, then each counted kind, then how many more there were. */
  get sentences(): string[] {
    const counted = [...this.#counted.values()].map(({ n, sentence }) => sentence(n));
    const more = this.#dropped > 0 ? [`${this.#dropped} more findings like these are not listed.`] : [];
    return [...this.#said, ...counted, ...more];
  }
}
