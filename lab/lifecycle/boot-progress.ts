// What a person watching `lab start` sees while the VMs boot: a line when a boot unit becomes
// ready (or fails), and every HEARTBEAT_MS a line naming the units still starting, so a 5 to 10
// minute TCG boot of Kubernetes never sits behind one unchanging line. Pure bookkeeping over the
// guest's unit events (lab-init sends them on lab.events); the caller prints.
import type { GuestEvent } from '../vm/events.js';

export const HEARTBEAT_MS = 20_000;

const secs = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

export class BootProgress {
  /** "vm unit" → state and when (host clock) it entered it. */
  readonly #units = new Map<string, { state: string; since: number }>();

  constructor(
    private readonly started: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line for an event worth a line of its own (a unit ready, failed or restarting). */
  onEvent(vm: string, event: GuestEvent): string | undefined {
    if (event.event !== 'unit' || !event.unit || !event.state) return undefined;
    this.#units.set(`${vm} ${event.unit}`, { state: event.state, since: this.now() });
    const at = `${secs(event.ts)} after kernel start`;
    if (event.state === 'ready') return `${vm} ${event.unit} ready (${at})`;
    if (event.state === 'failed') return `${vm} ${event.unit} failed (${at}): ${event.detail ?? 'no detail'}`;
    if (event.state === 'restarting')
      return `${vm} ${event.unit} restarting (${at})${event.detail ? `: ${event.detail}` : ''}`;
    return undefined;
  }

  /** The heartbeat: what the boot waits for now, longest waiting first. */
  waitingLine(): string {
    const now = this.now();
    const waiting = [...this.#units.entries()]
      .filter(([, u]) => u.state === 'starting')
      .sort(([a, x], [b, y]) => x.since - y.since || a.localeCompare(b))
      .map(([name, u]) => `${name} (${secs(now - u.since)})`);
    const elapsed = secs(now - this.started);
    if (waiting.length === 0) return `booting, ${elapsed}: waiting for the guests' first events`;
    const shown = waiting.slice(0, 4).join(', ');
    const more = waiting.length > 4 ? ` and ${waiting.length - 4} more` : '';
    return `booting, ${elapsed}: waiting for ${shown}${more}`;
  }
}
