// lab snapshot save | list | rm
import type { Command } from '@commander-js/extra-typings';
import { requireState } from '../../lifecycle/access.js';
import { saveSnapshot } from '../../lifecycle/start.js';
import { withLabLock } from '../../lifecycle/state.js';
import {
  autoSnapshotName,
  checkSnapshotName,
  directoryBytes,
  labsUsing,
  listSnapshotNames,
  readSnapshot,
  removeSnapshot,
  snapshotDir,
} from '../../snapshot/store.js';
import { UsageError } from '../../util/errors.js';
import { formatAge } from '../../util/time.js';
import { createUi } from '../../util/ui.js';
import { nameOption } from '../options.js';

export interface SnapshotRow {
  name: string;
  usable: boolean;
  why?: string;
  overlays: string[];
  /** e.g. "2 VMs × 2048 MiB, tcg Nehalem, pc-q35-7.2" */
  summary: string;
  bytes: number;
  savedAt?: string;
  usedBy: string[];
}

export async function snapshotRows(): Promise<SnapshotRow[]> {
  return Promise.all(
    (await listSnapshotNames()).map(async (name): Promise<SnapshotRow> => {
      const lookup = await readSnapshot(name);
      const manifest = lookup.found ? lookup.manifest : undefined;
      const key = manifest?.key;
      const nodes = key?.plan.nodes ?? [];
      return {
        name,
        usable: lookup.found && lookup.usable,
        why: lookup.found && !lookup.usable ? lookup.why : undefined,
        overlays: key?.overlays ?? [],
        summary: key
          ? `${nodes.length} VM(s) × ${[...new Set(nodes.map((n) => n.mem))].join('/')} MiB, ${key.accel.accel} ${key.accel.cpu}, ${key.machine}`
          : '-',
        bytes: await directoryBytes(snapshotDir(name)),
        savedAt: manifest?.savedAt,
        usedBy: await labsUsing(name),
      };
    }),
  );
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

export function addSnapshotCommands(program: Command): void {
  const snapshot = program
    .command('snapshot')
    .summary('save a running lab, list and remove snapshots (lab start restores a matching one)')
    .description(
      "A snapshot is a booted lab saved whole: every VM's RAM and device state, its disk, and the lab's\n" +
        'own files (SSH keys, Kubernetes PKI). `lab start OVERLAYS` saves one after a cold boot and restores\n' +
        'it next time when nothing that shaped it changed (image, overlays, topology, QEMU, accelerator).\n' +
        'Every lab restored from one snapshot shares its cluster identity (CA, keys).',
    );
  snapshot
    .command('save')
    .summary(
      'save a running lab as it is now (your pods, your NADs): the next start of its overlays restores it',
    )
    .argument('[snapshot]', "snapshot name (default: the lab's overlays, which lab start looks for)")
    .addOption(nameOption())
    .action(async (given, flags) => {
      const state = await requireState(flags.name);
      const name = checkSnapshotName(given ?? autoSnapshotName(state.config.overlays));
      await withLabLock(state.name, () => saveSnapshot(state, name, createUi()));
      const auto = name === autoSnapshotName(state.config.overlays);
      console.log(
        auto
          ? `lab start ${state.config.overlays.join(' ')} now restores it`
          : `restore it with: lab start --restore ${name} [--name LAB]`,
      );
    });
  snapshot
    .command('list')
    .summary('every snapshot: what it holds, size, age, which labs run on it')
    .option('--json', 'machine-readable')
    .action(async (flags) => {
      const rows = await snapshotRows();
      if (flags.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('no snapshots (lab start saves one after a cold boot)');
        return;
      }
      for (const row of rows) {
        console.log(
          `${row.name}  ${row.usable ? 'usable' : `UNUSABLE (${row.why})`}  ${row.summary}  ${mib(row.bytes)}  saved ${row.savedAt ? `${formatAge(row.savedAt)} ago` : '?'}  used by: ${row.usedBy.join(', ') || '-'}`,
        );
      }
    });
  snapshot
    .command('rm')
    .summary('remove snapshots (a lab restored from one keeps its files until it stops)')
    .argument('<snapshot...>')
    .action(async (names) => {
      const known = await listSnapshotNames();
      for (const name of names) {
        checkSnapshotName(name);
        if (!known.includes(name))
          throw new UsageError(`no snapshot named ${name}`, `snapshots: ${known.join(', ') || 'none'}`);
        const users = await removeSnapshot(name);
        console.log(
          `snapshot ${name} removed${users.length ? `; its files stay until ${users.map((u) => `lab "${u}"`).join(', ')} stop(s)` : ''}`,
        );
      }
    });
}
