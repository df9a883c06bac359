// The lab's own network namespace: every bridge and tap lives here, so the host's namespace
// gets nothing and deleting the namespace removes every device of the lab at once.
// The namespace has no link to the host and so no route out.
import { readdir } from 'node:fs/promises';
import type { LabPlan, NetPlan } from '../topology/plan.js';
import { run } from '../util/exec.js';

const IP_HINT = 'lab needs root (CAP_NET_ADMIN) and iproute2; run it as root or with sudo';

function ip(netns: string | undefined, ...args: string[]): Promise<string> {
  const argv = netns ? ['ip', '-n', netns, ...args] : ['ip', ...args];
  return run(argv, { hint: IP_HINT });
}

export async function netnsExists(name: string): Promise<boolean> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  return names.includes(name);
}

export async function createNetns(name: string): Promise<void> {
  await ip(undefined, 'netns', 'add', name);
  await ip(name, 'link', 'set', 'lo', 'up');
}

/** Idempotent: a namespace that is already gone is fine. */
export async function deleteNetns(name: string): Promise<void> {
  if (await netnsExists(name)) await ip(undefined, 'netns', 'delete', name);
}

export async function createBridge(netns: string, net: NetPlan): Promise<void> {
  // No STP: ports forward at once, and VMs never loop.
  await ip(netns, 'link', 'add', net.bridge, 'type', 'bridge', 'stp_state', '0');
  await ip(netns, 'link', 'set', net.bridge, 'up');
  if (net.hostIpv4) await ip(netns, 'addr', 'add', net.hostIpv4, 'dev', net.bridge);
  if (net.hostIpv6) await ip(netns, 'addr', 'add', net.hostIpv6, 'dev', net.bridge, 'nodad');
}

export async function createTap(netns: string, tap: string, bridge: string): Promise<void> {
  await ip(netns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
  await ip(netns, 'link', 'set', tap, 'master', bridge, 'up');
}

/** Creates the namespace, one bridge per net and one tap per NIC. */
export async function createLabNetwork(plan: LabPlan): Promise<void> {
  await createNetns(plan.netns);
  for (const net of plan.nets) await createBridge(plan.netns, net);
  for (const node of plan.nodes) {
    for (const nic of node.nics) await createTap(plan.netns, nic.tap, nic.bridge);
  }
}

/** argv prefix that runs a program inside the namespace. */
export function inNetns(netns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}
