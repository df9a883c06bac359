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

/** A value inside a QEMU option list: a comma would end it, so QEMU wants it doubled. */
export const optionValue = (value: string) => value.replaceAll(',', ',,');

/** A unix socket path must fit sun_path (108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** The VM's socket paths that are too long for a unix socket (a long LAB_STATE), if any. */
export function tooLongSockets(dir: string): string[] {
  const paths = vmPaths(dir);
  return [paths.qmp, paths.console].filter((p) => Buffer.byteLength(p) > MAX_SOCKET_PATH);
}

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

export interface QemuRun {
  labName: string;
  /** A versioned machine type (pc-q35-7.2): a saved state loads only into the same one. */
  machine: string;
  /** Wait for a saved state (-incoming defer) instead of booting; stay paused once it is loaded. */
  incoming?: boolean;
}

export function qemuArgs(node: NodePlan, accel: AccelChoice, files: VmFiles, how: QemuRun): string[] {
  const paths = vmPaths(files.dir);
  const args = [
    '-name',
    `${node.name},process=lab-${how.labName}-${node.name}`,
    '-machine',
    how.machine,
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
    `socket,id=serial0,path=${optionValue(paths.console)},server=on,wait=off,logfile=${optionValue(paths.consoleLog)},logappend=on`,
    '-serial',
    'chardev:serial0',
    '-device',
    'virtio-serial-pci,id=vser0',
    '-chardev',
    `file,id=events,path=${optionValue(paths.events)},append=on`,
    '-device',
    'virtserialport,bus=vser0.0,chardev=events,name=lab.events',
    '-qmp',
    `unix:${optionValue(paths.qmp)},server=on,wait=off`,
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
    args.push('-drive', `file=${optionValue(layer)},if=none,id=lab${index},format=raw,readonly=on`);
    args.push('-device', `virtio-blk-pci,drive=lab${index},serial=lab${index}`);
  });
  args.push('-drive', `file=${optionValue(files.scratch)},if=none,id=scratch,format=qcow2,discard=unmap`);
  args.push('-device', 'virtio-blk-pci,drive=scratch,serial=scratch');
  if (how.incoming) args.push('-incoming', 'defer', '-S');
  return args;
}
