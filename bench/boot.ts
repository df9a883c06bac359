// Boot figures (issue: foundation). Run as root: npx tsx bench/boot.ts [runs]
//  - bare kernel boot-to-init: the lab kernel + initramfs reaching stage 1 (the accelerator
//    probe boot), host wall time from QEMU start to the marker
//  - VM ready: `lab start --nvm 1`, host wall from QEMU start to the guest's `boot ready`
//    (the same clock as the bare boot: their ratio is the figure to watch), the guest's own
//    clock, and the whole start
//  - `lab start --nvm 2` wall time
//  - no-op image rebuild: every piece cached, only keys checked

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureImage } from '../lab/image/image.js';
import { resolveOverlays } from '../lab/overlay/registry.js';
import { probeBoot, TCG_CPU } from '../lab/vm/accel.js';

const runs = Number(process.argv[2] ?? 3);
const root = join(import.meta.dirname, '..');
const env = { ...process.env, LAB_STATE: '/tmp/lab-bench-state', NO_COLOR: '1' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const row = (what: string, xs: number[]) =>
  console.log(
    `${what.padEnd(44)} median ${fmt(median(xs))}  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))}, n=${xs.length})`,
  );

async function bareBoot(kernel: string, initramfs: string): Promise<number> {
  const outcome = await probeBoot({ accel: 'tcg', cpu: TCG_CPU }, kernel, initramfs, {
    smp: 2,
    timeoutMs: 60_000,
  });
  if (!outcome.ok) throw new Error(`bare boot never reached init: ${outcome.why}`);
  return outcome.ms;
}

async function labStart(nvm: number): Promise<{ wallMs: number; bootMs: number; guestMs: number[] }> {
  const started = Date.now();
  await execa(
    'node',
    [join(root, 'bin/lab.js'), 'start', '--name', 'bench', '--nvm', String(nvm), '--accel', 'tcg'],
    { env },
  );
  const wallMs = Date.now() - started;
  const state = JSON.parse(await readFile('/tmp/lab-bench-state/labs/bench/state.json', 'utf8'));
  const guestMs: number[] = [];
  for (let id = 1; id <= nvm; id++) {
    const events = await readFile(`/tmp/lab-bench-state/labs/bench/vms/vm-00${id}/events.log`, 'utf8');
    const boot = events
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'boot');
    guestMs.push(boot.ms);
  }
  await execa('node', [join(root, 'bin/lab.js'), 'stop', '--name', 'bench'], { env });
  return { wallMs, bootMs: state.timings.bootMs, guestMs };
}

const overlays = await resolveOverlays(['multinet']);
const image = await ensureImage(overlays);
const noop: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = Date.now();
  await ensureImage(overlays);
  noop.push(Date.now() - t);
}
const bare: number[] = [];
for (let i = 0; i < runs; i++) bare.push(await bareBoot(image.kernel.vmlinuz, image.initramfs));
const ready1: number[] = [];
const boot1: number[] = [];
const wall1: number[] = [];
const wall2: number[] = [];
for (let i = 0; i < runs; i++) {
  const one = await labStart(1);
  ready1.push(...one.guestMs);
  boot1.push(one.bootMs);
  wall1.push(one.wallMs);
  wall2.push((await labStart(2)).wallMs);
}
console.log(
  `\naccelerator: TCG (-cpu ${TCG_CPU}), smp 2, 256 MiB; host ${(await execa('nproc')).stdout} cores`,
);
row('no-op image rebuild (all cached)', noop);
row('bare kernel boot-to-init (host wall)', bare);
row('VM ready (host wall, QEMU start → ready)', boot1);
row('VM ready, guest clock (kernel start → ready)', ready1);
row('lab start --nvm 1 (host wall)', wall1);
row('lab start --nvm 2 (host wall)', wall2);
console.log(
  `ratio VM ready / bare boot-to-init, both host wall from QEMU start: ${(median(boot1) / median(bare)).toFixed(2)}× (goal ≤ 1.5×)`,
);
console.log(
  `ratio lab start --nvm 1 wall / bare boot-to-init: ${(median(wall1) / median(bare)).toFixed(2)}×`,
);
