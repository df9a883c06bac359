// Reads the guest's event channel (a file QEMU appends the virtio-serial port to) and
// waits for the boot verdict. Readiness is this signal from the guest, never a sleep.
import { open } from 'node:fs/promises';
import { LabError } from '../util/errors.js';

export interface GuestEvent {
  ts: number;
  event: 'init' | 'unit' | 'boot' | string;
  node?: string;
  unit?: string;
  state?: string;
  detail?: string;
  log?: string;
  failed?: string[];
  ms?: number;
}

/** Parses complete lines; a partial last line is left for the next read. */
export function parseEventLines(text: string): { events: GuestEvent[]; rest: string } {
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  const events: GuestEvent[] = [];
  for (const line of lines) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    try {
      events.push(JSON.parse(line.slice(start)) as GuestEvent);
    } catch {
      // A line cut by a guest crash is not an event.
    }
  }
  return { events, rest };
}

/** Follows a growing file from offset 0, polling. */
export class EventTail {
  private offset = 0;
  private rest = '';
  constructor(private readonly file: string) {}

  async read(): Promise<GuestEvent[]> {
    const handle = await open(this.file, 'r').catch(() => undefined);
    if (!handle) return [];
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const parsed = parseEventLines(this.rest + buffer.toString('utf8'));
      this.rest = parsed.rest;
      return parsed.events;
    } finally {
      await handle.close();
    }
  }
}

export interface WaitBootOptions {
  timeoutMs: number;
  /** Checked each poll: a VM whose QEMU died will never boot. */
  alive: () => boolean;
  onEvent?: (event: GuestEvent) => void;
  describeFailure: () => Promise<string>;
  /** Checked each poll: why the boot can no longer succeed (e.g. stage 1 gave up), if it can't. */
  doomed?: () => Promise<string | undefined>;
  vm: string;
}

export async function waitForBoot(file: string, options: WaitBootOptions): Promise<GuestEvent> {
  const tail = new EventTail(file);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    for (const event of await tail.read()) {
      options.onEvent?.(event);
      if (event.event !== 'boot') continue;
      if (event.state === 'ready') return event;
      throw new LabError(
        `${options.vm}: boot failed, units failed: ${(event.failed ?? []).join(', ')}\n${await options.describeFailure()}`,
      );
    }
    const doomed = await options.doomed?.();
    if (doomed) throw new LabError(`${options.vm}: ${doomed}\n${await options.describeFailure()}`);
    if (!options.alive()) {
      throw new LabError(
        `${options.vm}: QEMU exited before the guest was ready\n${await options.describeFailure()}`,
      );
    }
    if (Date.now() > deadline) {
      throw new LabError(
        `${options.vm}: not ready after ${Math.round(options.timeoutMs / 1000)} s\n${await options.describeFailure()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
