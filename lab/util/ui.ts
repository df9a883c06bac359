// Progress goes to stderr as plain timestamped lines (readable in CI logs and terminals
// alike); results go to stdout. NO_COLOR and non-TTY output get no colour codes.
import pc from 'picocolors';

const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
const paint = (fn: (s: string) => string, text: string) => (colour ? fn(text) : text);

function stamp(): string {
  return new Date().toTimeString().slice(0, 8);
}

export interface Ui {
  info(message: string): void;
  ok(message: string): void;
  warn(message: string): void;
  /** Times a phase: prints its start and end with the duration. */
  phase<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** `prefix` tags every line, for labs that run side by side (e.g. "[k8s]"). */
export function createUi(stream: NodeJS.WritableStream = process.stderr, quiet = false, prefix = ''): Ui {
  const tag = prefix ? `${prefix} ` : '';
  const line = (text: string) => {
    if (!quiet) stream.write(`${paint(pc.dim, stamp())} ${tag}${text}\n`);
  };
  return {
    info: (message) => line(message),
    ok: (message) => line(paint(pc.green, `✓ ${message}`)),
    warn: (message) => line(paint(pc.yellow, `! ${message}`)),
    async phase(name, fn) {
      const started = Date.now();
      line(`${name} …`);
      const result = await fn();
      line(paint(pc.green, `✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`));
      return result;
    },
  };
}

export const silentUi: Ui = createUi(process.stderr, true);
