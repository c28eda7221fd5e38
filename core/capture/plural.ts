// A count with its noun, for the sentences capture files carry (what an import could not rebuild, what an export made up).

/** "1 packet", "2 packets". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
