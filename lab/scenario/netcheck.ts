// Pure helpers for scenarios that inspect pod networking: address ranges and `ip -j` output.
import { Address4, Address6 } from 'ip-address';

/** An IPAM range as host-local has it: addresses first..last inclusive. */
export interface AddressRange {
  first: string;
  last: string;
}

const toBigInt = (address: string): bigint =>
  address.includes(':') ? new Address6(address).bigInt() : new Address4(address).bigInt();

/** `address` ("10.3.1.10" or "10.3.1.10/16") lies in `range`, same family. */
export function addressInRange(address: string, range: AddressRange): boolean {
  const bare = address.split('/')[0] ?? address;
  if (bare.includes(':') !== range.first.includes(':')) return false;
  const value = toBigInt(bare);
  return value >= toBigInt(range.first) && value <= toBigInt(range.last);
}

/** Every address of a CIDR as a range (network and broadcast included). */
export function cidrRange(cidr: string): AddressRange {
  const net = cidr.includes(':') ? new Address6(cidr) : new Address4(cidr);
  return { first: net.startAddress().correctForm(), last: net.endAddress().correctForm() };
}

/** The canonical text of an address (IPv6 compressed, as the kernel and host-local print it). */
export function canonicalAddress(address: string): string {
  const bare = address.split('/')[0] ?? address;
  return bare.includes(':') ? new Address6(bare).correctForm() : new Address4(bare).correctForm();
}

/** Duplicates in a list, each once. */
export function duplicates<T>(items: readonly T[]): T[] {
  const seen = new Set<T>();
  const repeated = new Set<T>();
  for (const item of items) (seen.has(item) ? repeated : seen).add(item);
  return [...repeated];
}

/** One entry of `ip -j -d link show`. */
export interface IpLinkDetail {
  ifindex: number;
  ifname: string;
  address: string;
  flags: string[];
  link_index?: number;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
}

/** One entry of `ip -j addr show`. */
export interface IpAddrEntry {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}

/** Global addresses per interface name, "addr/len", sorted. */
export function globalAddressesByIf(entries: IpAddrEntry[]): Map<string, string[]> {
  return new Map(
    entries.map((entry) => [
      entry.ifname,
      entry.addr_info
        .filter((a) => a.scope === 'global')
        .map((a) => `${a.local}/${a.prefixlen}`)
        .sort(),
    ]),
  );
}

/** KEY=value lines (flannel's /run/flannel/subnet.env); other lines are ignored. */
export function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] ?? '', m[2] ?? ''] as const);
  return Object.fromEntries(entries);
}

/**
 * The lines of a `tcpdump -nn` capture that are UDP datagrams from `from` to `to`'s port `port`
 * (the outer header of a VXLAN packet: "IP 192.168.1.1.40001 > 192.168.1.2.8472: ...").
 */
export function udpLinesBetween(lines: readonly string[], from: string, to: string, port: number): string[] {
  const same = (text: string, address: string) => {
    try {
      return canonicalAddress(text) === canonicalAddress(address);
    } catch {
      return false; // "10.244.0" of an inner "10.244.0.5 > ..." line: not an address
    }
  };
  return lines.filter((line) => {
    const m = /\bIP6? (\S+)\.(\d+) > (\S+)\.(\d+): /.exec(line);
    return m !== null && same(m[1] ?? '', from) && same(m[3] ?? '', to) && Number(m[4]) === port;
  });
}
