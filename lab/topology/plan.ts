// The network plan: node id and net id determine every name, MAC and address.
// Pure functions only — the plan is computed, never allocated, so tests and scenarios can
// predict every address.
import { Address4, Address6 } from 'ip-address';
import { UsageError } from '../util/errors.js';
import type { LabConfig, NetConfig } from './schema.js';

/** The host's own address on every bridge (xcluster's .250). */
export const HOST_ID = 250;
/** Nets below this get addresses by default; higher nets are plain L2 (multus masters). */
export const FIRST_UNADDRESSED_NET = 3;

export interface NetPlan {
  id: number;
  name: string;
  bridge: string;
  ipv4?: string; // subnet CIDR
  ipv6?: string;
  hostIpv4?: string; // host side of the bridge, with prefix length
  hostIpv6?: string;
}

export interface NicPlan {
  index: number;
  name: string; // eth<index>, the order QEMU adds the devices in
  net: number;
  mac: string;
  tap: string;
  bridge: string;
  ipv4?: string; // with prefix length
  ipv6?: string;
}

export interface NodePlan {
  id: number;
  name: string;
  mem: number;
  smp: number;
  nics: NicPlan[];
}

export interface LabPlan {
  name: string;
  netns: string;
  nets: NetPlan[];
  nodes: NodePlan[];
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export const nodeName = (id: number) => `vm-${String(id).padStart(3, '0')}`;
export const netnsName = (lab: string) => `lab-${lab}`;
export const bridgeName = (net: number) => `br${net}`;
/** Taps live in the lab's own netns, so short names cannot clash between labs. */
export const tapName = (nodeId: number, nicIndex: number) => `t${nodeId}-${nicIndex}`;

/** Locally administered unicast MAC: 02:4c:41 ("LA") : net : node id (16 bits). */
export function macAddress(net: number, nodeId: number): string {
  return ['02', '4c', '41', hex2(net), hex2(nodeId >> 8), hex2(nodeId & 0xff)].join(':');
}

export function parseNodeName(name: string): number | undefined {
  const match = /^vm-(\d{3})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function defaultIpv4Subnet(net: number): string {
  return `192.168.${net}.0/24`;
}

/** The IPv4 subnet embedded in the lab's IPv6 prefix: fd00:4c41::192.168.N.0/120. */
export function defaultIpv6Subnet(net: number, ipv6Prefix: string): string {
  const prefix = new Address6(ipv6Prefix);
  const embedded = (192n << 24n) | (168n << 16n) | (BigInt(net) << 8n);
  const base = prefix.startAddress().bigInt() + embedded;
  return `${Address6.fromBigInt(base).correctForm()}/120`;
}

/** Address number `offset` inside `subnet`, with the subnet's prefix length. */
export function addressInSubnet(subnet: string, offset: number): string {
  const v6 = subnet.includes(':');
  const net = v6 ? new Address6(subnet) : new Address4(subnet);
  const size = 1n << BigInt((v6 ? 128 : 32) - net.subnetMask);
  if (BigInt(offset) <= 0n || BigInt(offset) >= size - (v6 ? 0n : 1n)) {
    throw new UsageError(`address ${offset} does not fit in ${subnet}`);
  }
  const value = net.startAddress().bigInt() + BigInt(offset);
  const address = v6 ? Address6.fromBigInt(value).correctForm() : Address4.fromBigInt(value).correctForm();
  return `${address}/${net.subnetMask}`;
}

export function withoutPrefix(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

export function planNet(net: number, config: LabConfig): NetPlan {
  const explicit: NetConfig | undefined = config.nets.find((n) => n.id === net);
  const addressed = explicit?.addressed ?? (explicit?.ipv4 !== undefined || net < FIRST_UNADDRESSED_NET);
  const plan: NetPlan = { id: net, name: explicit?.name ?? `net${net}`, bridge: bridgeName(net) };
  if (!addressed) return plan;
  plan.ipv4 = explicit?.ipv4 ?? defaultIpv4Subnet(net);
  plan.ipv6 = explicit?.ipv6 ?? defaultIpv6Subnet(net, config.ipv6Prefix);
  plan.hostIpv4 = addressInSubnet(plan.ipv4, HOST_ID);
  plan.hostIpv6 = addressInSubnet(plan.ipv6, HOST_ID);
  return plan;
}

export function planNode(id: number, config: LabConfig, nets: Map<number, NetPlan>): NodePlan {
  const override = config.nodes.find((n) => n.id === id);
  const netIds = override?.nets ?? config.netsVm;
  const nics = netIds.map((netId, index): NicPlan => {
    const net = nets.get(netId);
    if (!net) throw new Error(`internal: net ${netId} missing from plan`);
    const nic: NicPlan = {
      index,
      name: `eth${index}`,
      net: netId,
      mac: macAddress(netId, id),
      tap: tapName(id, index),
      bridge: net.bridge,
    };
    if (net.ipv4) nic.ipv4 = addressInSubnet(net.ipv4, id);
    if (net.ipv6) nic.ipv6 = addressInSubnet(net.ipv6, id);
    return nic;
  });
  return { id, name: nodeName(id), mem: override?.mem ?? config.mem, smp: override?.smp ?? config.smp, nics };
}

/** Host bits an addressed subnet needs: VM ids 1..249 and the host's .250. */
const MIN_HOST_BITS = 8;

/** What the schema cannot see alone: subnets too small or overlapping, a too long IPv6 prefix. */
export function checkPlanInputs(config: LabConfig, netIds: number[]): void {
  const prefix = new Address6(config.ipv6Prefix);
  if (prefix.subnetMask > 96)
    throw new UsageError(
      `ipv6Prefix: ${config.ipv6Prefix} is longer than /96: each VM's IPv4 address is embedded in its last 32 bits`,
    );
  const ranges: Array<{
    net: number;
    family: 4 | 6;
    start: bigint;
    end: bigint;
    cidr: string;
    field: string;
  }> = [];
  for (const net of netIds) {
    const index = config.nets.findIndex((n) => n.id === net);
    const explicit = config.nets[index];
    const addressed = explicit?.addressed ?? (explicit?.ipv4 !== undefined || net < FIRST_UNADDRESSED_NET);
    if (!addressed) continue;
    for (const family of [4, 6] as const) {
      const cidr =
        family === 4
          ? (explicit?.ipv4 ?? defaultIpv4Subnet(net))
          : (explicit?.ipv6 ?? defaultIpv6Subnet(net, config.ipv6Prefix));
      const field = (family === 4 ? explicit?.ipv4 : explicit?.ipv6)
        ? `nets[${index}].ipv${family}`
        : `net ${net} (its default ${cidr})`;
      const parsed = family === 4 ? new Address4(cidr) : new Address6(cidr);
      const hostBits = (family === 4 ? 32 : 128) - parsed.subnetMask;
      if (hostBits < MIN_HOST_BITS)
        throw new UsageError(
          `${field}: ${cidr} is too small: it must hold the VMs (.1 …) and the host side of the bridge (.${HOST_ID}), so /${(family === 4 ? 32 : 128) - MIN_HOST_BITS} or larger`,
        );
      const start = parsed.startAddress().bigInt();
      const end = parsed.endAddress().bigInt();
      const clash = ranges.find((r) => r.family === family && r.start <= end && start <= r.end);
      if (clash)
        throw new UsageError(
          `${field}: ${cidr} overlaps net ${clash.net}'s ${clash.cidr}: every net needs its own subnet`,
        );
      ranges.push({ net, family, start, end, cidr, field });
    }
  }
}

export function planLab(config: LabConfig): LabPlan {
  const ids = Array.from({ length: config.nvm }, (_, i) => i + 1);
  const netIds = new Set<number>();
  for (const id of ids) {
    for (const net of config.nodes.find((n) => n.id === id)?.nets ?? config.netsVm) netIds.add(net);
  }
  const sorted = [...netIds].sort((a, b) => a - b);
  checkPlanInputs(config, sorted);
  const nets = new Map(sorted.map((net) => [net, planNet(net, config)]));
  return {
    name: config.name,
    netns: netnsName(config.name),
    nets: [...nets.values()],
    nodes: ids.map((id) => planNode(id, config, nets)),
  };
}

/** Every address of `node` on addressed nets, for ping matrices and /etc/hosts. */
export function nodeAddresses(
  node: NodePlan,
): { net: number; nic: string; address: string; family: 4 | 6 }[] {
  return node.nics.flatMap((nic) => [
    ...(nic.ipv4
      ? [{ net: nic.net, nic: nic.name, address: withoutPrefix(nic.ipv4), family: 4 as const }]
      : []),
    ...(nic.ipv6
      ? [{ net: nic.net, nic: nic.name, address: withoutPrefix(nic.ipv6), family: 6 as const }]
      : []),
  ]);
}
