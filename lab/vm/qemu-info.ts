// What this host's QEMU is: its version (with the Debian package's) and the versioned machine
// type that `q35` stands for. A saved VM state loads only into the same machine type, so VMs
// run a versioned type (pc-q35-7.2), never the alias that a QEMU upgrade would move.
import { run } from '../util/exec.js';

export interface QemuInfo {
  /** First line of `qemu-system-x86_64 --version`, e.g. "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". */
  version: string;
  /** The versioned machine type behind the q35 alias, e.g. "pc-q35-7.2". */
  machine: string;
}

/** The versioned type behind "q35" in `-machine help` output; q35 itself when none is named. */
export function versionedQ35(machineHelp: string): string {
  const alias = machineHelp.match(/^q35\s.*\(alias of (pc-q35-[0-9.]+)\)/m);
  return alias?.[1] ?? 'q35';
}

let cached: Promise<QemuInfo> | undefined;

export function qemuInfo(): Promise<QemuInfo> {
  cached ??= (async () => {
    const [version, help] = await Promise.all([
      run(['qemu-system-x86_64', '--version']),
      run(['qemu-system-x86_64', '-machine', 'help']),
    ]);
    return { version: version.split('\n')[0]?.trim() ?? 'unknown', machine: versionedQ35(help) };
  })();
  return cached;
}
