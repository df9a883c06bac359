// Warm start figures (issue: warm start from snapshots). Run as root:
//   npx tsx bench/warm.ts [overlay ...]      (default: multus)
// In one run, with a state dir of its own (so no snapshot of yours is used or replaced):
//  1. cold `lab start --fresh`: boot, then the save (its time is recorded by the start)
//  2. snapshot size on disk, per VM (state + disk) and in all
//  3. warm `lab start` three times (median), each timed until `lab kubectl get nodes` shows
//     every node Ready (for a lab without Kubernetes: until the start returns)
//  4. two labs restored side by side, timed until both are ready the same way
// Every lab is stopped at the end; the state dir (with the snapshot) is removed unless
// LAB_BENCH_KEEP=1.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const overlays = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['multus'];
const root = join(import.meta.dirname, '..');
const stateDir = '/tmp/lab-bench-warm-state';
const env = { ...process.env, LAB_STATE: stateDir, NO_COLOR: '1' };
const kubernetes = overlays.some((o) => ['k8s', 'multus', 'xcluster-cni', 'private-reg'].includes(o));
const lab = (command: string, name: string, ...args: string[]) =>
  execa('node', [join(root, 'bin/lab.js'), command, '--name', name, ...args], {
    env,
    all: true,
    reject: false,
  });
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Starts lab `name` and returns the wall time until it is usable (nodes Ready for Kubernetes). */
async function timedStart(name: string, ...args: string[]): Promise<number> {
  const started = Date.now();
  const start = await lab('start', name, ...overlays, ...args);
  if (start.exitCode !== 0) throw new Error(`lab start ${name} failed:\n${start.all}`);
  if (kubernetes) {
    const nodes = await lab('kubectl', name, 'get', 'nodes', '--no-headers');
    const lines = nodes.stdout.trim().split('\n');
    if (nodes.exitCode !== 0 || lines.some((l) => !/\sReady\s/.test(l)))
      throw new Error(`lab ${name}: not every node Ready after the start:\n${nodes.all}`);
  }
  return Date.now() - started;
}

const labs = new Set<string>();
try {
  labs.add('cold');
  const coldMs = await timedStart('cold', '--fresh');
  const state = JSON.parse(await readFile(join(stateDir, 'labs/cold/state.json'), 'utf8'));
  await lab('stop', 'cold');
  labs.delete('cold');

  const snapshotName = overlays.join('+');
  const manifest = JSON.parse(
    await readFile(join(stateDir, 'snapshots', snapshotName, 'snapshot.json'), 'utf8'),
  ) as { vms: Array<{ name: string; stateBytes: number; diskBytes: number }>; saveMs: number };

  const warm: number[] = [];
  for (let i = 1; i <= 3; i++) {
    labs.add(`warm${i}`);
    warm.push(await timedStart(`warm${i}`));
    await lab('stop', `warm${i}`);
    labs.delete(`warm${i}`);
  }

  labs.add('side-a');
  labs.add('side-b');
  const sideStarted = Date.now();
  const side = await Promise.all([timedStart('side-a'), timedStart('side-b')]);
  const sideMs = Date.now() - sideStarted;

  console.log(`\nwarm start of lab start ${overlays.join(' ')} (TCG, ${state.plan.nodes.length} VMs)`);
  console.log(`  cold start (boot + save)      ${secs(coldMs)}   (boot ${secs(state.timings.bootMs ?? 0)})`);
  console.log(`  save                          ${secs(state.timings.saveMs ?? manifest.saveMs)}`);
  let total = 0;
  for (const vm of manifest.vms) {
    total += vm.stateBytes + vm.diskBytes;
    console.log(
      `  snapshot ${vm.name}              state ${mib(vm.stateBytes)} + disk ${mib(vm.diskBytes)} = ${mib(vm.stateBytes + vm.diskBytes)}`,
    );
  }
  console.log(`  snapshot in all               ${mib(total)}`);
  console.log(`  warm start, median of 3       ${secs(median(warm))}   (${warm.map(secs).join(', ')})`);
  console.log(`  two restored side by side     ${secs(sideMs)}   (each ${side.map(secs).join(', ')})`);
  console.log(`  ratio cold / warm             ${(coldMs / median(warm)).toFixed(1)}x`);
} finally {
  for (const name of labs) await lab('stop', name);
  if (process.env.LAB_BENCH_KEEP !== '1') await rm(stateDir, { recursive: true, force: true });
}
