// Sizes as a person writes them on the command line (serve --quota 10M) and reads them back in the serve banner.

/** K, M and G count in 1024s, as ulimit, du -h and tmpfs's size= do; "KiB" says the same thing. */
const UNIT_BYTES: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes from '1048576', '500K', '10M', '2G' or '10MiB' (case does not matter); anything else is a sentence saying how to write it. */
export function parseByteSize(text: string): number {
  const match = /^(\d+)(?:([kmg])(?:ib)?)?$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a size: write a number of bytes, or one with K, M or G (1024-based), for example 500K or 2G.`);
  const bytes = Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toLowerCase()]!;
  if (!Number.isSafeInteger(bytes)) throw new Error(`"${text}" is more bytes than this server can count.`);
  return bytes;
}

/** '10 MiB (10485760 bytes)' for a whole number of a unit, else '1000 bytes': exact, and readable where it can be. */
export function byteSizeText(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}
