// Run curl as an independent FTP client; stdout is kept as raw bytes.
import { runProcess, type ProcessResult } from './runProcess';

export type CurlResult = ProcessResult;

export function runCurl(args: string[], opts: { timeoutMs?: number } = {}): Promise<CurlResult> {
  return runProcess('curl', args, { ...opts, missingHint: 'run .ci/run or apt-get install curl' });
}
