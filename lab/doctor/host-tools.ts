// Every program lab, its tests and its benches start on the host, with the Debian package that
// provides it. setup.sh installs these packages; a static test (test/static/host-tools.test.ts)
// finds every program the code spawns and fails when one is missing here or from setup.sh.

export interface HostTool {
  command: string;
  /** The Debian package that provides it. */
  apt: string;
  /** Packages it needs to do its job here that it does not pull in itself. */
  with?: string[];
  why: string;
  /** 'lab' is needed to run labs; 'tests' only by the test tiers (lab doctor lists them apart). */
  use: 'lab' | 'tests';
}

export const HOST_TOOLS: readonly HostTool[] = [
  { command: 'qemu-system-x86_64', apt: 'qemu-system-x86', why: 'runs the VMs', use: 'lab' },
  { command: 'qemu-img', apt: 'qemu-utils', why: 'per-VM scratch disks', use: 'lab' },
  { command: 'mmdebstrap', apt: 'mmdebstrap', why: 'fetches Debian packages for the image', use: 'lab' },
  { command: 'mksquashfs', apt: 'squashfs-tools', why: 'read-only image layers', use: 'lab' },
  { command: 'mke2fs', apt: 'e2fsprogs', why: 'the scratch disk template', use: 'lab' },
  { command: 'depmod', apt: 'kmod', why: 'indexes the kernel modules of the image', use: 'lab' },
  { command: 'xz', apt: 'xz-utils', why: 'unpacks kernel modules', use: 'lab' },
  { command: 'ip', apt: 'iproute2', why: 'network namespaces, bridges, taps', use: 'lab' },
  { command: 'tar', apt: 'tar', why: 'unpacks packages', use: 'lab' },
  { command: 'openssl', apt: 'openssl', why: "makes each lab's Kubernetes certificates", use: 'lab' },
  { command: 'zstd', apt: 'zstd', why: 'compresses saved VM states (snapshots)', use: 'lab' },
  { command: 'tcpdump', apt: 'tcpdump', why: 'lab capture: packets from inside a lab', use: 'lab' },
  {
    command: 'go',
    apt: 'golang-go',
    why: 'builds the guest init (lab-init), multus and Kubernetes from the Go module proxy',
    use: 'lab',
  },
  {
    command: 'gcc',
    apt: 'gcc',
    // libc.a and headers: gcc only recommends them, and setup.sh installs no recommends.
    with: ['libc6-dev'],
    why: "go build runs it for flannel's cgo (its udp backend is C, linked statically as upstream does)",
    use: 'lab',
  },
  { command: 'unshare', apt: 'util-linux', why: 'private namespaces for tests', use: 'tests' },
  { command: 'cpio', apt: 'cpio', why: 'reads back the initramfs archives lab writes', use: 'tests' },
  { command: 'unsquashfs', apt: 'squashfs-tools', why: 'reads back the layers lab writes', use: 'tests' },
  { command: 'git', apt: 'git', why: 'checks what the repository tracks', use: 'tests' },
  {
    command: 'dropbear',
    apt: 'dropbear-bin',
    why: 'a real SSH server for the SSH client tests',
    use: 'tests',
  },
  { command: 'dropbearkey', apt: 'dropbear-bin', why: 'checks the host keys lab writes', use: 'tests' },
  { command: 'shellcheck', apt: 'shellcheck', why: 'lints the guest shell scripts', use: 'tests' },
  { command: 'chromium', apt: 'chromium', why: 'opens report.html as a person would', use: 'tests' },
  { command: 'xmllint', apt: 'libxml2-utils', why: 'validates junit.xml and SVG output', use: 'tests' },
  {
    command: 'jq',
    apt: 'jq',
    why: "runs the cni overlay's node-local IPAM filter on the host",
    use: 'tests',
  },
];

/**
 * Programs every Debian host already has (from essential packages, checked by the static test)
 * or that lab cannot run without in the first place (node, npm).
 */
export const BASE_COMMANDS: Readonly<Record<string, string>> = {
  sh: 'dash',
  bash: 'bash',
  cp: 'coreutils',
  rm: 'coreutils',
  ls: 'coreutils',
  chmod: 'coreutils',
  sleep: 'coreutils',
  nproc: 'coreutils',
  false: 'coreutils',
  echo: 'coreutils',
  awk: 'mawk',
  hostname: 'hostname',
  setsid: 'util-linux',
  mv: 'coreutils',
  'dpkg-deb': 'dpkg',
  dpkg: 'dpkg',
  'dpkg-query': 'dpkg',
  'apt-get': 'apt',
  node: 'a prerequisite (Node 20)',
  npm: 'a prerequisite (Node 20)',
  npx: 'a prerequisite (Node 20)',
};

export function hostTool(command: string): HostTool | undefined {
  const name = command.split('/').pop() ?? command;
  return HOST_TOOLS.find((t) => t.command === name);
}

/** The fix for a program that is not on PATH: its package when we know it, else PATH. */
export function installHint(command: string): string {
  const tool = hostTool(command);
  return tool
    ? `apt-get install ${tool.apt} (./setup.sh installs every package lab needs; lab doctor checks them)`
    : `${command} is not on PATH (lab doctor checks the host)`;
}

/** Programs a test uses when the host has them and otherwise unpacks itself, never installs. */
export const UNPACKED_BY_TESTS: Readonly<Record<string, string>> = {
  'docker-registry':
    'test/unit/oci.test.ts unpacks it from its .deb: installing it would start a registry service on the host',
};
