// Reaching a running lab's VMs: the SSH target of a VM (through the lab's namespace).
import { relaySocket } from '../hostnet/forward.js';
import { type NodePlan, withoutPrefix } from '../topology/plan.js';
import { UsageError } from '../util/errors.js';
import type { SshTarget } from '../vm/ssh.js';
import { readLabKeys } from './keys.js';
import { type LabState, listLabs, readState } from './state.js';

export async function requireState(name: string): Promise<LabState> {
  const state = await readState(name);
  if (state) return state;
  const labs = await listLabs();
  throw new UsageError(
    `no lab named "${name}"`,
    labs.length ? `labs: ${labs.join(', ')} (pick one with --name)` : 'start one with: lab start',
  );
}

/** The address the host reaches a node at: its first addressed NIC's (IPv4 preferred). */
export function reachableAddress(node: NodePlan): string | undefined {
  const nic = node.nics.find((n) => n.ipv4 ?? n.ipv6);
  const address = nic?.ipv4 ?? nic?.ipv6;
  return address && withoutPrefix(address);
}

export async function sshTarget(state: LabState, vm: string): Promise<SshTarget> {
  const node = state.plan.nodes.find((n) => n.name === vm);
  if (!node) {
    throw new UsageError(
      `lab "${state.name}" has no VM "${vm}"`,
      `VMs: ${state.plan.nodes.map((n) => n.name).join(', ')}`,
    );
  }
  const address = reachableAddress(node);
  if (!address || !state.netns)
    throw new UsageError(`${vm} has no addressed NIC, so lab cannot reach it over SSH`, 'use lab console');
  const keys = await readLabKeys(state.dir);
  const hostKey = keys.hosts[vm];
  if (!hostKey) throw new UsageError(`no host key recorded for ${vm}`);
  return {
    netns: state.netns,
    relay: relaySocket(state.dir),
    host: address,
    privateKey: keys.clientPrivate,
    hostPublicKey: hostKey.public,
  };
}
