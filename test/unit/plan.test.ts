import { describe, expect, it } from 'vitest';
import { DEFAULTS, mergeConfig } from '../../lab/topology/config.js';
import {
  addressInSubnet,
  defaultIpv6Subnet,
  macAddress,
  nodeAddresses,
  nodeName,
  parseNodeName,
  planLab,
  tapName,
} from '../../lab/topology/plan.js';

describe('identity from node id', () => {
  it('names VMs like xcluster', () => {
    expect(nodeName(1)).toBe('vm-001');
    expect(nodeName(42)).toBe('vm-042');
    expect(parseNodeName('vm-042')).toBe(42);
    expect(parseNodeName('vm-42')).toBeUndefined();
  });

  it('gives locally administered unicast MACs that encode net and node', () => {
    expect(macAddress(3, 2)).toBe('02:4c:41:03:00:02');
    expect(macAddress(0, 249)).toBe('02:4c:41:00:00:f9');
    const firstOctet = Number.parseInt(macAddress(5, 7).slice(0, 2), 16);
    expect(firstOctet & 0b10).toBe(0b10); // locally administered
    expect(firstOctet & 0b01).toBe(0); // unicast
  });

  it('keeps tap names within the 15-character kernel limit', () => {
    expect(tapName(249, 9).length).toBeLessThanOrEqual(15);
  });
});

describe('addresses', () => {
  it('embeds the IPv4 subnet in the IPv6 prefix', () => {
    expect(defaultIpv6Subnet(3, 'fd00:4c41::/96')).toBe('fd00:4c41::c0a8:300/120');
  });

  it('numbers hosts inside a subnet and refuses what does not fit', () => {
    expect(addressInSubnet('192.168.1.0/24', 2)).toBe('192.168.1.2/24');
    expect(addressInSubnet('fd00:4c41::c0a8:100/120', 250)).toBe('fd00:4c41::c0a8:1fa/120');
    expect(() => addressInSubnet('192.168.1.0/24', 255)).toThrow(/does not fit/);
    expect(() => addressInSubnet('192.168.1.0/24', 0)).toThrow(/does not fit/);
  });
});

describe('planLab', () => {
  const plan = planLab(mergeConfig([{ nvm: 2, netsVm: [0, 1, 3, 4, 5] }]));

  it('puts NIC k of every VM on the k-th net of --nets-vm (seed 000)', () => {
    const vm2 = plan.nodes[1];
    expect(vm2?.nics.map((n) => `${n.name}:${n.net}`)).toEqual([
      'eth0:0',
      'eth1:1',
      'eth2:3',
      'eth3:4',
      'eth4:5',
    ]);
  });

  it('addresses nets 0-2 and leaves 3+ as plain L2', () => {
    const vm2 = plan.nodes[1];
    expect(vm2?.nics[1]).toMatchObject({ ipv4: '192.168.1.2/24', ipv6: 'fd00:4c41::c0a8:102/120' });
    expect(vm2?.nics[2]?.ipv4).toBeUndefined();
    expect(vm2?.nics[2]?.ipv6).toBeUndefined();
    expect(plan.nets.find((n) => n.id === 0)).toMatchObject({ hostIpv4: '192.168.0.250/24', bridge: 'br0' });
  });

  it('lists only addressed addresses for ping matrices', () => {
    const vm1 = plan.nodes[0];
    expect(vm1 && nodeAddresses(vm1).map((a) => a.address)).toEqual([
      '192.168.0.1',
      'fd00:4c41::c0a8:1',
      '192.168.1.1',
      'fd00:4c41::c0a8:101',
    ]);
  });

  it('applies per-node overrides last', () => {
    const custom = planLab(
      mergeConfig([
        { nvm: 3, mem: 300, nodes: [{ id: 3, mem: 512, nets: [0, 2] }], nets: [{ id: 4, addressed: true }] },
      ]),
    );
    expect(custom.nodes[2]).toMatchObject({ mem: 512, nics: [{ net: 0 }, { net: 2 }] });
    expect(custom.nodes[0]?.mem).toBe(300);
    expect(custom.nets.map((n) => n.id)).toEqual([0, 1, 2]);
  });

  it('is deterministic', () => {
    expect(planLab(mergeConfig([{ nvm: 2 }]))).toEqual(planLab(mergeConfig([{ nvm: 2 }])));
  });

  it('names the namespace after the lab', () => {
    expect(planLab(mergeConfig([{ name: 'ci-a' }])).netns).toBe('lab-ci-a');
    expect(DEFAULTS.name).toBe('default');
  });
});

describe('plan checks that name the field', () => {
  const plan = (layer: object) => () => planLab(mergeConfig([layer]));
  it('a subnet too small for the VMs and the host .250', () => {
    expect(plan({ netsVm: [0, 5], nets: [{ id: 5, ipv4: '10.0.0.0/28' }] })).toThrow(
      /^nets\[0\]\.ipv4: 10\.0\.0\.0\/28 is too small: .* so \/24 or larger$/,
    );
  });
  it('overlapping subnets', () => {
    expect(
      plan({
        nets: [
          { id: 0, ipv4: '10.1.0.0/16' },
          { id: 1, ipv4: '10.1.1.0/24' },
        ],
      }),
    ).toThrow(/^nets\[1\]\.ipv4: 10\.1\.1\.0\/24 overlaps net 0's 10\.1\.0\.0\/16/);
  });
  it('an IPv6 prefix longer than /96', () => {
    expect(plan({ ipv6Prefix: 'fd00::/100' })).toThrow(/^ipv6Prefix: fd00::\/100 is longer than \/96/);
  });
  it('more NICs than the machine has slots', () => {
    expect(() => mergeConfig([{ netsVm: Array.from({ length: 17 }, (_, i) => i) }])).toThrow(
      /netsVm: .*at most 16 NICs per VM/,
    );
  });
});
