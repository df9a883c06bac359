import { describe, expect, it } from 'vitest';
import {
  addressInRange,
  canonicalAddress,
  cidrRange,
  duplicates,
  globalAddressesByIf,
  parseEnvFile,
  udpLinesBetween,
} from '../../lab/scenario/netcheck.js';

describe('addressInRange', () => {
  const v4 = { first: '10.3.1.10', last: '10.3.1.99' };
  const v6 = { first: 'fd00:4c41:3::10.3.1.10', last: 'fd00:4c41:3::10.3.1.99' };

  it('accepts the ends and the middle, with or without a prefix length', () => {
    expect(addressInRange('10.3.1.10', v4)).toBe(true);
    expect(addressInRange('10.3.1.99/16', v4)).toBe(true);
    expect(addressInRange('fd00:4c41:3::a03:10a/112', v6)).toBe(true);
  });

  it('rejects neighbours, other nodes and the other family', () => {
    expect(addressInRange('10.3.1.9', v4)).toBe(false);
    expect(addressInRange('10.3.1.100', v4)).toBe(false);
    expect(addressInRange('10.3.2.10', v4)).toBe(false);
    expect(addressInRange('fd00:4c41:3::a03:20a', v6)).toBe(false);
    expect(addressInRange('fd00:4c41:4::a03:10a', v6)).toBe(false);
    expect(addressInRange('fd00:4c41:3::a03:10a', v4)).toBe(false);
    expect(addressInRange('10.3.1.10', v6)).toBe(false);
  });
});

describe('cidrRange', () => {
  it('spans the whole CIDR, both families', () => {
    expect(cidrRange('10.244.1.0/24')).toEqual({ first: '10.244.1.0', last: '10.244.1.255' });
    expect(cidrRange('fd00:4c41:244::100/120')).toEqual({
      first: 'fd00:4c41:244::100',
      last: 'fd00:4c41:244::1ff',
    });
    expect(addressInRange('fd00:4c41:244::102', cidrRange('fd00:4c41:244::100/120'))).toBe(true);
    expect(addressInRange('fd00:4c41:244::2', cidrRange('fd00:4c41:244::100/120'))).toBe(false);
  });
});

describe('canonicalAddress', () => {
  it('writes IPv6 with an embedded IPv4 tail the way the kernel prints it', () => {
    expect(canonicalAddress('fd00:4c41:3::10.3.1.10/112')).toBe('fd00:4c41:3::a03:10a');
    expect(canonicalAddress('10.3.1.10/16')).toBe('10.3.1.10');
  });
});

describe('duplicates', () => {
  it('lists each repeated item once', () => {
    expect(duplicates(['a', 'b', 'a', 'c', 'a', 'b'])).toEqual(['a', 'b']);
    expect(duplicates(['a', 'b'])).toEqual([]);
  });
});

describe('globalAddressesByIf', () => {
  it('keeps global addresses only, sorted, per interface', () => {
    const byIf = globalAddressesByIf([
      {
        ifname: 'net1',
        addr_info: [
          { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
          { family: 'inet6', local: 'fd00::2', prefixlen: 112, scope: 'global' },
          { family: 'inet', local: '10.3.1.10', prefixlen: 16, scope: 'global' },
        ],
      },
    ]);
    expect(byIf.get('net1')).toEqual(['10.3.1.10/16', 'fd00::2/112']);
  });
});

describe('parseEnvFile', () => {
  it("reads flannel's subnet.env, ignoring what is not KEY=value", () => {
    const env = parseEnvFile(
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\n# comment\nFLANNEL_IPV6_SUBNET=fd00:4c41:244::101/120\n\n',
    );
    expect(env).toEqual({
      FLANNEL_NETWORK: '10.244.0.0/16',
      FLANNEL_SUBNET: '10.244.1.1/24',
      FLANNEL_IPV6_SUBNET: 'fd00:4c41:244::101/120',
    });
  });
});

describe('udpLinesBetween', () => {
  // As tcpdump -nn prints VXLAN on 8472 (it decodes the port as OTV), inner packets included.
  const lines = [
    '10:00:00.1 IP 192.168.1.1.40001 > 192.168.1.2.8472: OTV, flags [I] (0x08), overlay 0, instance 1',
    'IP 10.244.0.5 > 10.244.1.3: ICMP echo request, id 1, seq 1, length 64',
    '10:00:00.2 IP 192.168.1.2.51000 > 192.168.1.1.8472: OTV, flags [I] (0x08), overlay 0, instance 1',
    '10:00:00.3 IP6 fd00:4c41::c0a8:101.40002 > fd00:4c41:0::c0a8:102.8472: OTV, flags [I] (0x08)',
    '10:00:00.4 IP 192.168.1.1.40001 > 192.168.1.2.4789: VXLAN, flags [I] (0x08), vni 1',
  ];

  it('finds the outer headers from one address to the other on the port, either family', () => {
    expect(udpLinesBetween(lines, '192.168.1.1', '192.168.1.2', 8472)).toEqual([lines[0]]);
    expect(udpLinesBetween(lines, '192.168.1.2', '192.168.1.1', 8472)).toEqual([lines[2]]);
    expect(udpLinesBetween(lines, 'fd00:4c41::c0a8:101', 'fd00:4c41::c0a8:102', 8472)).toEqual([lines[3]]);
  });

  it('finds nothing for the wrong direction, port or address, nor in inner headers', () => {
    expect(udpLinesBetween(lines, 'fd00:4c41::c0a8:102', 'fd00:4c41::c0a8:101', 8472)).toEqual([]);
    expect(udpLinesBetween(lines, '192.168.1.1', '192.168.1.3', 8472)).toEqual([]);
    expect(udpLinesBetween(lines, '10.244.0.5', '10.244.1.3', 8472)).toEqual([]);
    expect(udpLinesBetween(['no packets'], '192.168.1.1', '192.168.1.2', 8472)).toEqual([]);
  });
});
