// Running host tools: argv arrays, no shell, errors that name the command and show its stderr.
import { existsSync } from 'node:fs';
import { execa, type Options } from 'execa';
import { installHint } from '../doctor/host-tools.js';
import { LabError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Shown in the error instead of the raw argv. */
  what?: string;
  hint?: string;
  /** Called with each line of stderr as it comes (progress of a long build). */
  onStderrLine?: (line: string) => void;
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Runs a command to completion; throws a LabError with its stderr tail on failure. */
export async function run(argv: string[], options: RunOptions = {}): Promise<string> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  const execaOptions: Options = {
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: true,
  };
  const subprocess = execa(file, args, execaOptions);
  const onLine = options.onStderrLine;
  if (onLine) {
    let partial = '';
    subprocess.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
  const result = await subprocess;
  if (result.failed) {
    const what = options.what ?? argv.join(' ');
    const reason = result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : result.code === 'ENOENT'
        ? options.cwd && !existsSync(options.cwd)
          ? `its working directory ${options.cwd} does not exist`
          : `${file} is not installed; ${installHint(file)}`
        : `exit ${result.exitCode ?? result.signal}`;
    const detail = tail(String(result.stderr ?? '') || String(result.stdout ?? ''));
    throw new LabError(`${what} failed (${reason})${detail ? `:\n${detail}` : ''}`, options.hint);
  }
  return String(result.stdout ?? '');
}

/** Runs a command and reports success as a boolean (for probes and idempotent cleanup). */
export async function succeeds(argv: string[], options: RunOptions = {}): Promise<boolean> {
  const [file, ...args] = argv;
  if (!file) return false;
  const result = await execa(file, args, { cwd: options.cwd, reject: false, timeout: options.timeoutMs });
  return !result.failed;
}
