// Kubernetes start-up figures, phase by phase (issues: Kubernetes, multus). Run as root:
//   npx tsx bench/k8s.ts [overlay ...]        (default: multus; e.g. xcluster-cni private-reg)
// One `lab start` under TCG, then from the lab's own records:
//  - host wall: image (build or cache check), boot (QEMU start → every VM ready), total
//  - guest clock per VM (ms since its kernel started): init, etcd / API server / kubelet /
//    kube-proxy / pod network / multus config / node Ready / cluster DNS ready, boot ready
//  - what the complete cluster adds to the boot: kube-proxy starts beside the kubelet, so only
//    the wait for CoreDNS at the end counts (cluster-dns done − the last other unit done)
//  - nodes Ready: the Ready condition's time on the API server, from the start of `lab start`
//  - memory used per VM at rest (free -m), right after the start
// The lab is stopped at the end (LAB_BENCH_KEEP=1 keeps it).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseEventLines } from '../lab/vm/events.js';

const overlays = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['multus'];
const root = join(import.meta.dirname, '..');
const stateDir = '/tmp/lab-bench-k8s-state';
const env = { ...process.env, LAB_STATE: stateDir, NO_COLOR: '1' };
// --name right after the subcommand: after the arguments, lab kubectl would pass it to kubectl.
const lab = (command: string, ...args: string[]) =>
  execa('node', [join(root, 'bin/lab.js'), command, '--name', 'bench', ...args], { env });
const secs = (ms: number | undefined) =>
  ms === undefined ? '     -' : `${(ms / 1000).toFixed(1).padStart(6)}`;
const UNITS = [
  'etcd',
  'kube-apiserver',
  'containerd',
  'kubelet',
  'kube-proxy',
  'pod-network',
  'registry',
  'multus',
  'node-ready',
  'cluster-dns',
];

const started = Date.now();
await lab('start', ...overlays, '--accel', 'tcg', '--no-snapshot');
const wallMs = Date.now() - started;
try {
  const state = JSON.parse(await readFile(join(stateDir, 'labs/bench/state.json'), 'utf8'));
  console.log(`lab start ${overlays.join(' ')}: ${secs(wallMs)} s host wall`);
  console.log(
    `  image ${secs(state.timings.imageMs)} s, boot (QEMU start → all VMs ready) ${secs(state.timings.bootMs)} s`,
  );
  const tail: string[] = [];
  console.log(
    `\nguest clock, s since kernel start:  ${['init', ...UNITS, 'ready'].map((u) => u.slice(0, 11).padStart(12)).join('')}`,
  );
  for (const vm of state.vms as { name: string; dir: string }[]) {
    const { events } = parseEventLines(`${await readFile(join(vm.dir, 'events.log'), 'utf8')}\n`);
    const at = (unit: string) =>
      events.find((e) => e.event === 'unit' && e.unit === unit && e.state === 'ready')?.ts;
    const cells = [
      events.find((e) => e.event === 'init')?.ts,
      ...UNITS.map(at),
      events.find((e) => e.event === 'boot')?.ts,
    ];
    console.log(`  ${vm.name.padEnd(34)}${cells.map((ms) => secs(ms).padStart(12)).join('')}`);
    const dns = at('cluster-dns');
    const others = events.filter(
      (e) => e.event === 'unit' && e.state === 'ready' && e.unit !== 'cluster-dns',
    );
    const lastOther = Math.max(...others.map((e) => e.ts));
    if (dns !== undefined)
      tail.push(
        `  ${vm.name}: waiting for CoreDNS added ${secs(Math.max(0, dns - lastOther))} s to the boot`,
      );
  }
  console.log(tail.length > 0 ? `\n${tail.join('\n')}` : '');
  const ready = await lab(
    'kubectl',
    'get',
    'nodes',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].lastTransitionTime}{"\\n"}{end}',
  );
  console.log('\nnodes Ready (API server clock, s after lab start began):');
  for (const line of ready.stdout.trim().split('\n')) {
    const [name = '', when = ''] = line.split(' ');
    console.log(`  ${name.padEnd(10)} ${secs(Date.parse(when) - started)}`);
  }
  console.log('\nmemory used at rest (free -m, MiB):');
  for (const vm of state.vms as { name: string }[]) {
    const free = await lab('ssh', vm.name, 'free', '-m');
    const mem =
      free.stdout
        .split('\n')
        .find((l) => l.startsWith('Mem:'))
        ?.split(/\s+/) ?? [];
    console.log(`  ${vm.name.padEnd(10)} used ${mem[2]} of ${mem[1]} (buff/cache ${mem[5]})`);
  }
} finally {
  if (process.env.LAB_BENCH_KEEP !== '1') await lab('stop');
}
