// Cuts bytes or text into chunks at given positions: how the protocol tests feed a decoder or parser the
// same stream split every way TCP might deliver it.

/** Cuts `data` at the given positions (each taken modulo the length + 1, so any number is a cut); nothing is lost. */
export function split(data: Uint8Array, cuts: readonly number[]): Uint8Array[];
export function split(data: string, cuts: readonly number[]): string[];
export function split(data: Uint8Array | string, cuts: readonly number[]): (Uint8Array | string)[] {
  const piece = (from: number, to?: number) => (typeof data === 'string' ? data.slice(from, to) : data.subarray(from, to));
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: (Uint8Array | string)[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(piece(from, p));
    from = p;
  }
  chunks.push(piece(from));
  return chunks;
}
