// How a transfer's byte count reads wherever it is shown (diagram, transcript, narration, replies): the bytes
// on the wire, and how many of them are the file's where framing (BLOCK headers, COMPRESSED escapes, record
// markers) adds to it. In STREAM mode the wire carries the file and nothing else: one number says both.

export interface ByteCounts {
  /** Bytes on the data connection. */
  readonly bytes: number;
  /** The file's bytes without the framing, where they differ from `bytes`. */
  readonly fileBytes?: number;
}

const framed = (c: ByteCounts): c is Required<ByteCounts> => c.fileBytes !== undefined && c.fileBytes !== c.bytes;

/** '9 bytes', or '581 bytes (575 of the file)'. */
export function byteCountText(counts: ByteCounts): string {
  return framed(counts) ? `${counts.bytes} bytes (${counts.fileBytes} of the file)` : `${counts.bytes} bytes`;
}

/** A completion reply's opening: 'Transfer complete (9 bytes)', or 'Transfer complete: 581 bytes (575 of the file)'. */
export function transferCompleteText(counts: ByteCounts): string {
  return framed(counts) ? `Transfer complete: ${byteCountText(counts)}` : `Transfer complete (${byteCountText(counts)})`;
}

/** Where a marker sits in the data: 'after 575 bytes of the file'. */
export function markerOffsetText(offset: number): string {
  return `after ${offset} bytes of the file`;
}
