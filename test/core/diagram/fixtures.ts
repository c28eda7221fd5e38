// Traces captured once with the CLI (`ftp-lab run <scenario> --trace`, `ftp-lab serve --trace` with curl,
// our client against vsftpd) and kept as fixtures: real timings, real ports, real close order.

import { parseTrace } from '../../../core/trace/traceFile';
import type { TraceFile } from '../../../core/trace/traceEvent';
import blockReuse from './fixtures/block-reuse.trace.json';
import clientVsftpd from './fixtures/client-vsftpd.trace.json';
import download from './fixtures/download.trace.json';
import serveCurl from './fixtures/serve-curl.trace.json';
import textbookUpload from './fixtures/textbook-upload.trace.json';
import textbookUploadKernel from './fixtures/textbook-upload-kernel.trace.json';
import downloadKernel from './fixtures/download-kernel.trace.json';

const load = (json: unknown): TraceFile => parseTrace(JSON.stringify(json));

export const fixtures = {
  /** `ftp-lab run textbook-upload`: active mode, STOR, client and server traced. */
  textbookUpload: load(textbookUpload),
  /** `ftp-lab run download`: passive mode, RETR. */
  download: load(download),
  /** `ftp-lab run block-reuse`: three RETRs over one MODE B data connection. */
  blockReuse: load(blockReuse),
  /** `ftp-lab serve --trace` with two curl sessions (a wrong password, then a download): server side only. */
  serveCurl: load(serveCurl),
  /** `ftp-lab run download --server` against vsftpd: client side only. */
  clientVsftpd: load(clientVsftpd),
  /** `ftp-lab run textbook-upload --tcp-states`: with each end's kernel TCP states (tcp.state events). */
  textbookUploadKernel: load(textbookUploadKernel),
  /** `ftp-lab run download --tcp-states`. */
  downloadKernel: load(downloadKernel),
};
