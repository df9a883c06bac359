// The per-node part of the boot: node.json, SSH keys and per-node files as a small cpio
// appended to the shared initramfs (the kernel unpacks concatenated archives in order).
import { readFile, writeFile } from 'node:fs/promises';
import type { NodeFile } from '../overlay/manifest.js';
import type { LabPlan, NodePlan } from '../topology/plan.js';
import { nodeAddresses, withoutPrefix } from '../topology/plan.js';
import { type CpioEntry, cpioGz } from './cpio.js';

export interface NodeKeys {
  authorizedKey: string;
  /** dropbear's own key file format (see generateHostKey). */
  hostDropbearKey: Buffer;
}

/** The guest's view of itself; see docs/guest-protocol.md. */
export function nodeJson(plan: LabPlan, node: NodePlan, layers: string[]): Record<string, unknown> {
  const hostNet = plan.nets.find((net) => net.id === 1 && net.ipv4) ?? plan.nets.find((net) => net.ipv4);
  const hosts = plan.nodes.map((other) => {
    const on = other.nics.find((nic) => nic.net === hostNet?.id);
    return {
      name: other.name,
      ipv4: on?.ipv4 && withoutPrefix(on.ipv4),
      ipv6: on?.ipv6 && withoutPrefix(on.ipv6),
    };
  });
  return {
    lab: plan.name,
    id: node.id,
    name: node.name,
    layers,
    nics: node.nics.map(({ name, net, mac, ipv4, ipv6 }) => ({ name, net, mac, ipv4, ipv6 })),
    hosts,
    addresses: nodeAddresses(node),
    env: {
      LAB_NAME: plan.name,
      LAB_NODE_ID: String(node.id),
      LAB_NODE_NAME: node.name,
      LAB_NVM: String(plan.nodes.length),
    },
  };
}

/**
 * The NICs again as plain text, one per line: "index mac name ipv4|- ipv6|-". Shell scripts
 * read it with `read`, without starting jq (~0.3 s under TCG).
 */
export function nicsTsv(node: NodePlan): string {
  return node.nics
    .map((nic, index) => [index, nic.mac, nic.name, nic.ipv4 ?? '-', nic.ipv6 ?? '-'].join('\t'))
    .map((line) => `${line}\n`)
    .join('');
}

export function nodeArchive(
  plan: LabPlan,
  node: NodePlan,
  layers: string[],
  keys: NodeKeys,
  files: Record<string, NodeFile> = {},
): Buffer {
  const entries: CpioEntry[] = [
    {
      path: 'lab/node.json',
      type: 'file',
      mode: 0o644,
      data: Buffer.from(`${JSON.stringify(nodeJson(plan, node, layers), null, 2)}\n`),
    },
    { path: 'lab/nics.tsv', type: 'file', mode: 0o644, data: Buffer.from(nicsTsv(node)) },
    { path: 'lab/ssh', type: 'dir', mode: 0o700 },
    {
      path: 'lab/ssh/authorized_keys',
      type: 'file',
      mode: 0o600,
      data: Buffer.from(`${keys.authorizedKey.trim()}\n`),
    },
    { path: 'lab/ssh/host_ed25519', type: 'file', mode: 0o600, data: keys.hostDropbearKey },
    ...Object.entries(files).map(
      ([path, file]): CpioEntry => ({
        path: `lab/files/${path.replace(/^\//, '')}`,
        type: 'file',
        mode: file.mode ?? 0o644,
        data: Buffer.from(file.content),
      }),
    ),
  ];
  return cpioGz(entries);
}

/** initrd for one VM: the shared initramfs, then this node's archive. */
export async function writeNodeInitrd(
  sharedInitramfs: string,
  archive: Buffer,
  output: string,
): Promise<void> {
  // It carries the node's secrets (SSH host key, for vm-001 the cluster's keys): owner only.
  await writeFile(output, Buffer.concat([await readFile(sharedInitramfs), archive]), { mode: 0o600 });
}
