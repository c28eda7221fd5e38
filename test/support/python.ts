// Run a Python 3 script (`python3 -c SCRIPT ARGS...`) as an independent FTP peer (ftplib).
import { runProcess } from './runProcess';

export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runPython(script: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<PythonResult> {
  const result = await runProcess('python3', ['-c', script, ...args], {
    ...opts,
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    missingHint: 'run .ci/run or apt-get install python3',
  });
  return { ...result, stdout: result.stdout.toString('utf8') };
}
