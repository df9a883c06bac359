// What lab needs on the host, and the Debian package that provides each tool.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { HOST_TOOLS } from './host-tools.js';

export { HOST_TOOLS } from './host-tools.js';

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
      what: `${tool.command} (${tool.why}${tool.use === 'tests' ? '; for the tests' : ''})`,
      fix: ok
        ? undefined
        : tool.command === 'go'
          ? 'install Go 1.24 or newer (https://go.dev/dl) or apt-get install golang-go'
          : `apt-get install ${[tool.apt, ...(tool.with ?? [])].join(' ')}`,
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
