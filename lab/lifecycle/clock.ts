// A paused or restored VM lives in the past: its clock stood still while it was not running.
// TLS, leases and logs need the real time, so lab sets each guest's clock to the host's over
// SSH right after it runs again. The guest's date is busybox's (whole seconds only), so the
// guest sleeps until the host's next whole second and sets exactly that: every VM lands on
// the same second, off by the command's start-up time (tens of ms under TCG).
import { SshSession } from '../vm/ssh.js';
import { sshTarget } from './access.js';
import type { LabState } from './state.js';

export interface ClockFix {
  vm: string;
  /** How far the guest was behind the host before the fix (whole seconds' resolution). */
  behindMs: number;
}

/** The shell command that sets a guest's clock to host second `target`, `waitMs` from now. */
export function setClockCommand(target: number, waitMs: number): string {
  return `before=$(date +%s); sleep ${(Math.max(0, waitMs) / 1000).toFixed(3)}; date -u -s @${target} >/dev/null && echo "$before"`;
}

export async function syncGuestClocks(state: LabState, timeoutMs = 60_000): Promise<ClockFix[]> {
  const sessions = await Promise.all(
    state.vms.map(async (vm) => ({
      vm: vm.name,
      session: await SshSession.open(await sshTarget(state, vm.name), { timeoutMs }),
    })),
  );
  try {
    // At least 300 ms ahead, so every VM's command has started before the second turns.
    const now = Date.now();
    const target = Math.ceil((now + 300) / 1000);
    return await Promise.all(
      sessions.map(async ({ vm, session }) => {
        const result = await session.exec(setClockCommand(target, target * 1000 - Date.now()), { timeoutMs });
        const before = Number(result.stdout.trim());
        if (result.code !== 0 || !Number.isFinite(before))
          throw new Error(
            `setting the clock of ${vm} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
          );
        return { vm, behindMs: Math.max(0, now - before * 1000) };
      }),
    );
  } finally {
    for (const { session } of sessions) session.close();
  }
}
