// One bash for a whole page, so shell variables set by one command are there for the next
// (as for a reader typing them). Each command's output (stdout and stderr) and exit code are
// read back up to a marker line.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface ShellResult {
  code: number;
  output: string;
}

export class DocShell {
  private readonly bash: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting?: () => void;
  private readonly marker = `__doctest_${randomBytes(6).toString('hex')}__`;

  constructor(options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { cwd: options.cwd, env: options.env });
    const take = (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.waiting?.();
    };
    this.bash.stdout.on('data', take);
    this.bash.stderr.on('data', take);
    this.bash.on('exit', () => this.waiting?.());
  }

  /** Runs one command (it may span lines); rejects when it outlives `timeoutMs`. */
  async run(command: string, timeoutMs: number, onOutput?: (text: string) => void): Promise<ShellResult> {
    this.buffer = '';
    // A subshell-free group keeps variables; stdin from /dev/null so nothing eats our input.
    this.bash.stdin.write(`{\n${command}\n} </dev/null 2>&1; echo "${this.marker} $?"\n`);
    const deadline = Date.now() + timeoutMs;
    let shown = 0;
    for (;;) {
      const at = this.buffer.indexOf(this.marker);
      if (onOutput && this.buffer.length > shown) {
        const end = at >= 0 ? at : this.buffer.lastIndexOf('\n') + 1;
        if (end > shown) onOutput(this.buffer.slice(shown, end));
        shown = Math.max(shown, end);
      }
      if (at >= 0) {
        const code = Number.parseInt(this.buffer.slice(at + this.marker.length).trim(), 10);
        return { code, output: this.buffer.slice(0, at) };
      }
      if (this.bash.exitCode !== null) throw new Error(`bash exited while running: ${command}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no end within ${Math.round(timeoutMs / 1000)} s: ${command}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.bash.stdin.end();
    this.bash.kill();
  }
}
