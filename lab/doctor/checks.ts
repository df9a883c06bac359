// What lab needs on the host, and the Debian package that provides each tool.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { execa } from 'execa';

export interface HostTool {
  command: string;
  apt: string;
  why: string;
}

export const HOST_TOOLS: HostTool[] = [
  { command: 'qemu-system-x86_64', apt: 'qemu-system-x86', why: 'runs the VMs' },
  { command: 'qemu-img', apt: 'qemu-utils', why: 'per-VM scratch disks' },
  { command: 'mmdebstrap', apt: 'mmdebstrap', why: 'fetches Debian packages for the image' },
  { command: 'mksquashfs', apt: 'squashfs-tools', why: 'read-only image layers' },
  { command: 'mke2fs', apt: 'e2fsprogs', why: 'the scratch disk template' },
  { command: 'depmod', apt: 'kmod', why: 'indexes the kernel modules of the image' },
  { command: 'xz', apt: 'xz-utils', why: 'unpacks kernel modules' },
  { command: 'ip', apt: 'iproute2', why: 'network namespaces, bridges, taps' },
  { command: 'tar', apt: 'tar', why: 'unpacks packages' },
  { command: 'openssl', apt: 'openssl', why: "makes each lab's Kubernetes certificates" },
  { command: 'tcpdump', apt: 'tcpdump', why: 'lab capture: packets from inside a lab' },
  {
    command: 'go',
    apt: 'golang-go',
    why: 'builds the guest init (lab-init) and multus from the Go module proxy',
  },
];

/** The apt packages .ci/run and setup.sh install: every tool above that apt provides. */
export const APT_PACKAGES = HOST_TOOLS.filter((t) => t.command !== 'go').map((t) => t.apt);

export async function commandExists(command: string): Promise<boolean> {
  // Absolute /bin/sh: PATH is what is being checked, it may not lead to a shell.
  const result = await execa('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { reject: false });
  return result.exitCode === 0;
}

export interface Finding {
  ok: boolean;
  what: string;
  fix?: string;
}

export async function checkHost(): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const tool of HOST_TOOLS) {
    const ok = await commandExists(tool.command);
    findings.push({
      ok,
      what: `${tool.command} (${tool.why})`,
      fix: ok
        ? undefined
        : tool.command === 'go'
          ? 'install Go 1.24 or newer (https://go.dev/dl) or apt-get install golang-go'
          : `apt-get install ${tool.apt}`,
    });
  }
  const root = process.getuid?.() === 0;
  findings.push({
    ok: root,
    what: 'root (network namespaces, bridges and taps need CAP_NET_ADMIN)',
    fix: root ? undefined : 'run lab as root (sudo)',
  });
  const kvm = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  );
  findings.push({
    ok: true,
    what: kvm
      ? '/dev/kvm is accessible (lab start still probes it with a real boot)'
      : 'no usable /dev/kvm: VMs will run under TCG (slow)',
  });
  return findings;
}
