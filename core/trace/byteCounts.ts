// How a transfer's byte count reads wherever it is shown (diagram, transcript, narration, replies): the
// file's bytes, and the wire's where framing (BLOCK headers, COMPRESSED escapes, record markers) adds to them.

export interface ByteCounts {
  /** Bytes on the data connection. */
  readonly bytes: number;
  /** The file's bytes without the framing, where they differ from `bytes`. */
  readonly fileBytes?: number;
}

/** '9 bytes' (STREAM: the wire carries the file and nothing else), or '575 file bytes, 581 on the wire'. */
export function byteCountText(counts: ByteCounts): string {
  const { bytes, fileBytes } = counts;
  return fileBytes === undefined || fileBytes === bytes ? `${bytes} bytes` : `${fileBytes} file bytes, ${bytes} on the wire`;
}
