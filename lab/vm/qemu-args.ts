// The QEMU command line for one VM. Pure: the same inputs give the same argv (unit-tested).
import type { NodePlan } from '../topology/plan.js';

export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  cpu: string;
}

export function accelArgs(choice: AccelChoice): string[] {
  // Single-threaded TCG: with one host thread per vCPU (thread=multi) a Debian kernel here
  // sometimes panicked while patching its own code under host load (the cross-vCPU
  // code-modification race), and 4 VMs on 2 cores booted no faster (25-30 s vs 29-40 s).
  return ['-accel', choice.accel === 'tcg' ? 'tcg,thread=single' : 'kvm', '-cpu', choice.cpu];
}

export interface VmFiles {
  dir: string;
  kernel: string;
  initrd: string;
  layers: string[]; // bottom first
  scratch: string;
}

export const vmPaths = (dir: string) => ({
  qmp: `${dir}/qmp.sock`,
  console: `${dir}/console.sock`,
  consoleLog: `${dir}/console.log`,
  events: `${dir}/events.log`,
  pidfile: `${dir}/qemu.pid`,
  initrd: `${dir}/initrd.cpio.gz`,
  scratch: `${dir}/scratch.qcow2`,
});

export function kernelCommandLine(node: NodePlan, layerCount: number, extra: string[] = []): string {
  // panic=-1: a guest panic ends QEMU (with -no-reboot) instead of hanging a test.
  return [
    'console=ttyS0',
    'panic=-1',
    'quiet',
    'loglevel=4',
    `lab.layers=${layerCount}`,
    `lab.node=${node.name}`,
    ...extra,
  ].join(' ');
}

export function qemuArgs(node: NodePlan, accel: AccelChoice, files: VmFiles, labName: string): string[] {
  const paths = vmPaths(files.dir);
  const args = [
    '-name',
    `${node.name},process=lab-${labName}-${node.name}`,
    '-machine',
    'q35',
    ...accelArgs(accel),
    '-m',
    String(node.mem),
    '-smp',
    String(node.smp),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-kernel',
    files.kernel,
    '-initrd',
    files.initrd,
    '-append',
    kernelCommandLine(node, files.layers.length),
    '-chardev',
    `socket,id=serial0,path=${paths.console},server=on,wait=off,logfile=${paths.consoleLog}`,
    '-serial',
    'chardev:serial0',
    '-device',
    'virtio-serial-pci,id=vser0',
    '-chardev',
    `file,id=events,path=${paths.events}`,
    '-device',
    'virtserialport,bus=vser0.0,chardev=events,name=lab.events',
    '-qmp',
    `unix:${paths.qmp},server=on,wait=off`,
    '-pidfile',
    paths.pidfile,
    '-object',
    'rng-random,id=rng0,filename=/dev/urandom',
    '-device',
    'virtio-rng-pci,rng=rng0',
  ];
  // NICs in plan order, so the guest enumerates them as eth0..ethN (multinet also renames by MAC).
  for (const nic of node.nics) {
    args.push('-netdev', `tap,id=nic${nic.index},ifname=${nic.tap},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=nic${nic.index},mac=${nic.mac}`);
  }
  files.layers.forEach((layer, index) => {
    args.push('-drive', `file=${layer},if=none,id=lab${index},format=raw,readonly=on`);
    args.push('-device', `virtio-blk-pci,drive=lab${index},serial=lab${index}`);
  });
  args.push('-drive', `file=${files.scratch},if=none,id=scratch,format=qcow2,discard=unmap`);
  args.push('-device', 'virtio-blk-pci,drive=scratch,serial=scratch');
  return args;
}
