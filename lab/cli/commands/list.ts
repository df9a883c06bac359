// lab list: every lab on the host, one line each (as `kind get clusters`, with more to go on).
import type { Command } from '@commander-js/extra-typings';
import { readForward } from '../../hostnet/forward.js';
import { conditionHint, labCondition } from '../../lifecycle/condition.js';
import { vmStatuses } from '../../lifecycle/health.js';
import { type LabState, listLabs, readStates } from '../../lifecycle/state.js';
import { writeLabError as warnUnreadable } from '../../util/errors.js';
import { formatAge } from '../../util/time.js';

interface LabRow {
  name: string;
  condition: string;
  vms: string;
  overlays: string[];
  age: string;
  forwards: string[];
  snapshot?: string;
  hint: string;
}

async function labRow(state: LabState): Promise<LabRow> {
  const vms = await vmStatuses(state);
  const running = vms.filter((vm) => vm.running).length;
  const condition = labCondition(state.phase, running, vms.length);
  const forwards = await Promise.all(
    (state.forwards ?? []).map(async (name) => {
      const forward = await readForward(state.dir, name);
      return forward ? `${name} 127.0.0.1:${forward.port}` : name;
    }),
  );
  return {
    name: state.name,
    condition,
    vms: `${running}/${vms.length}`,
    overlays: state.overlays,
    age: formatAge(state.createdAt),
    forwards,
    snapshot: state.snapshot?.name,
    hint: conditionHint(condition, state.name),
  };
}

export function addListCommand(program: Command): void {
  program
    .command('list')
    .summary('every lab on this host: running, dead or partly alive, its overlays, age, forwards, snapshot')
    .description(
      'One line per lab in the state directory. running: every VM up; dead: no QEMU of it left ' +
        '(killed, or the host restarted); partly alive: some VMs gone; failed: its start failed. ' +
        'The last column says what to do about a lab that is not usable. lab status --name N shows one lab in full.',
    )
    .option('--json', 'machine-readable')
    .action(async (flags) => {
      const states = await readStates(await listLabs(), warnUnreadable);
      const rows = await Promise.all(states.map(labRow));
      if (flags.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('no labs');
        return;
      }
      const table = [
        ['NAME', 'STATE', 'VMS', 'AGE', 'OVERLAYS', 'FORWARDS', 'SNAPSHOT', ''],
        ...rows.map((r) => [
          r.name,
          r.condition,
          r.vms,
          r.age,
          r.overlays.join(',') || '-',
          r.forwards.join(', ') || '-',
          r.snapshot ?? '-',
          r.hint,
        ]),
      ];
      const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
      for (const row of table)
        console.log(
          row
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        );
    });
}
