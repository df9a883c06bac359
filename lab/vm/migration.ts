// One VM's RAM and device state to a file and back, through QMP. QEMU 7.2 has no `file:`
// migration URI (8.2+), so the stream goes through `exec:` into zstd; zero pages cost almost
// nothing and the rest compresses 3-5x, which also makes the restore read less.
import { stat } from 'node:fs/promises';
import { shellQuote } from '../util/shell-quote.js';
import type { QmpClient } from './qmp.js';

// QEMU throttles a migration to 128 MiB/s by default; a paused VM has nothing to race against.
const MAX_BANDWIDTH = 64 * 1024 ** 3;
const POLL_MS = 100;
// zstd flushes its last blocks in well under a second; a minute means it failed.
const FLUSH_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface MigrateInfo {
  status?: string;
  'error-desc'?: string;
  ram?: { transferred?: number; total?: number };
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * The `exec:` command that writes the stream to `file`. QEMU closes the pipe once the migration
 * is complete and kills its child (SIGTERM, then SIGKILL 10 ms later) unless it has already
 * exited: zstd, still flushing its last blocks, would leave a truncated or still-growing file
 * (seen in CI: the saved size was not the final one). So the child QEMU waits for exits at
 * once (`setsid -f`), the writer goes on in its own session, and `file` appears (renamed from
 * `<file>.part`) only after zstd finished well.
 */
export function saveCommand(file: string): string {
  const part = `${file}.part`;
  // -T2: both cores while the VMs are paused anyway; -1: fast, and most of the win is zero pages.
  const writer = `zstd -q -1 -T2 -f -o ${shellQuote(part)} && mv -f ${shellQuote(part)} ${shellQuote(file)}`;
  return `setsid -f sh -c ${shellQuote(writer)}`;
}

/** Writes the state of a paused VM to `file` (zstd); resolves once the file is whole. */
export async function saveVmState(qmp: QmpClient, file: string, timeoutMs: number): Promise<void> {
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': MAX_BANDWIDTH });
  await qmp.execute('migrate', { uri: `exec:${saveCommand(file)}` });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await qmp.execute<MigrateInfo>('query-migrate');
    if (info.status === 'completed') break;
    if (info.status === 'failed' || info.status === 'cancelled')
      throw new MigrationError(`saving the VM state failed: ${info['error-desc'] ?? info.status}`);
    if (Date.now() > deadline) {
      await qmp.execute('migrate_cancel').catch(() => undefined);
      throw new MigrationError(`saving the VM state did not finish within ${timeoutMs / 1000} s`);
    }
    await sleep(POLL_MS);
  }
  // QEMU is done; zstd may still be writing its last blocks (a failed zstd leaves only .part).
  const flushDeadline = Date.now() + FLUSH_TIMEOUT_MS;
  while (!(await stat(file).catch(() => undefined))) {
    if (Date.now() > flushDeadline)
      throw new MigrationError(
        `saving the VM state: zstd did not finish writing ${file} within ${FLUSH_TIMEOUT_MS / 1000} s after QEMU`,
      );
    await sleep(POLL_MS);
  }
}

/**
 * Loads a saved state into a QEMU started with -incoming defer -S; resolves once it is loaded
 * (the VM is then paused, ready for `cont`). A stream QEMU refuses makes QEMU exit: the QMP
 * connection drops and this rejects.
 */
export async function loadVmState(qmp: QmpClient, file: string, timeoutMs: number): Promise<void> {
  // QEMU 7.2 waits forever for the first byte of a stream that never comes (zstd refusing a
  // damaged file writes nothing): on failure send bytes QEMU rejects, so it fails and exits.
  await qmp.execute('migrate-incoming', {
    uri: `exec:zstd -q -dc ${shellQuote(file)} || echo lab: the saved state cannot be read`,
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await qmp.execute<{ status: string }>('query-status');
    if (status === 'paused' || status === 'running') return;
    if (status !== 'inmigrate') throw new MigrationError(`loading the VM state failed: QEMU is ${status}`);
    if (Date.now() > deadline)
      throw new MigrationError(`loading the VM state did not finish within ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}
