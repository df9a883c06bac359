// One VM: prepare its files, start QEMU inside the lab's namespace, wait for the guest's
// boot verdict, stop it.
import { mkdir, readFile } from 'node:fs/promises';
import { inNetns } from '../hostnet/netns.js';
import { processAlive } from '../lifecycle/state.js';
import type { NodePlan } from '../topology/plan.js';
import { UsageError } from '../util/errors.js';
import { type GuestEvent, waitForBoot } from './events.js';
import { isOurProcess, readPidfile, spawnDetached, terminate, waitGone } from './process.js';
import { type AccelChoice, MAX_SOCKET_PATH, qemuArgs, tooLongSockets, vmPaths } from './qemu-args.js';
import { QmpClient } from './qmp.js';

export async function consoleTail(dir: string, lines = 25): Promise<string> {
  const text = await readFile(vmPaths(dir).consoleLog, 'utf8').catch(() => '');
  const tail = text.replaceAll('\r', '').trimEnd().split('\n').slice(-lines);
  return tail.length && tail[0]
    ? `last lines of the serial console (${vmPaths(dir).consoleLog}):\n${tail.map((l) => `  | ${l}`).join('\n')}`
    : 'the serial console is empty';
}

export interface StartVmOptions {
  labName: string;
  netns: string;
  node: NodePlan;
  dir: string;
  accel: AccelChoice;
  kernel: string;
  layers: string[];
  machine: string;
  /** Wait for a saved state instead of booting (see lab/vm/migration.ts). */
  incoming?: boolean;
}

/** Spawns QEMU (detached: it outlives `lab start`) and returns its pid. */
export async function startVm(options: StartVmOptions): Promise<number> {
  const long = tooLongSockets(options.dir);
  if (long.length)
    throw new UsageError(
      `the VM's socket path ${long[0]} is ${Buffer.byteLength(long[0] ?? '')} bytes, more than a unix socket allows (${MAX_SOCKET_PATH})`,
      'set LAB_STATE (or XDG_STATE_HOME) to a shorter directory',
    );
  await mkdir(options.dir, { recursive: true });
  const paths = vmPaths(options.dir);
  const args = qemuArgs(
    options.node,
    options.accel,
    {
      dir: options.dir,
      kernel: options.kernel,
      initrd: paths.initrd,
      layers: options.layers,
      scratch: paths.scratch,
    },
    { labName: options.labName, machine: options.machine, incoming: options.incoming },
  );
  return spawnDetached(inNetns(options.netns, ['qemu-system-x86_64', ...args]), `${options.dir}/qemu.log`);
}

/** What images/initramfs/init prints before it gives up and opens a rescue shell. */
export const STAGE1_FAILED_MARKER = 'LAB-STAGE1-FAILED: ';

/** Stage 1's reason for giving up, from the serial log, or undefined while it has not. */
export async function stage1Failure(dir: string): Promise<string | undefined> {
  const text = await readFile(vmPaths(dir).consoleLog, 'utf8').catch(() => '');
  const at = text.indexOf(STAGE1_FAILED_MARKER);
  if (at < 0) return undefined;
  const reason = text
    .slice(at + STAGE1_FAILED_MARKER.length)
    .split('\n')[0]
    ?.trim();
  return `stage 1 of the boot failed: ${reason} (lab console shows its rescue shell)`;
}

export async function waitVmReady(
  name: string,
  dir: string,
  pid: number,
  timeoutMs: number,
  onEvent?: (event: GuestEvent) => void,
): Promise<GuestEvent> {
  return waitForBoot(vmPaths(dir).events, {
    vm: name,
    timeoutMs,
    alive: () => processAlive(pid),
    onEvent,
    doomed: async () => stage1Failure(dir),
    describeFailure: async () => {
      const qemuLog = (await readFile(`${dir}/qemu.log`, 'utf8').catch(() => '')).trim();
      return [qemuLog && `qemu said: ${qemuLog.split('\n').slice(-5).join('\n')}`, await consoleTail(dir)]
        .filter(Boolean)
        .join('\n');
    },
  });
}

/** The VM's QEMU pid, if one is running: from the state, else from QEMU's own pidfile. */
export async function runningPid(dir: string, recorded?: number): Promise<number | undefined> {
  for (const pid of [recorded, await readPidfile(vmPaths(dir).pidfile)]) {
    if (await isOurProcess(pid, dir)) return pid;
  }
  return undefined;
}

/** QMP quit first (QEMU exits cleanly), then signals. Never fails on a VM already gone. */
export async function stopVm(dir: string, recorded?: number): Promise<void> {
  const pid = await runningPid(dir, recorded);
  if (!pid) return;
  try {
    const qmp = await QmpClient.connect(vmPaths(dir).qmp, { timeoutMs: 1000 });
    await qmp.execute('quit', undefined, { timeoutMs: 1000 }).catch(() => undefined);
    qmp.close();
  } catch {
    // QMP unreachable: fall through to signals.
  }
  if (await waitGone(pid, 2000)) return;
  await terminate(pid);
}
