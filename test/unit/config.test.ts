import { describe, expect, it } from 'vitest';
import { envLayer, mergeConfig } from '../../lab/topology/config.js';
import { parseTopology } from '../../lab/topology/load.js';
import { UsageError } from '../../lab/util/errors.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('mergeConfig precedence: defaults < env < topology < CLI', () => {
  it('later layers win field by field', () => {
    const config = mergeConfig([envLayer({ LAB_NVM: '3', LAB_MEM: '300' }), { nvm: 4 }, { mem: 512 }]);
    expect(config).toMatchObject({ nvm: 4, mem: 512, smp: 2, overlays: ['multinet'] });
  });

  it('ignores undefined values (an unset flag does not erase a file value)', () => {
    expect(mergeConfig([{ nvm: 3 }, { nvm: undefined }]).nvm).toBe(3);
  });

  it('merges nets and nodes by id', () => {
    const config = mergeConfig([
      { nvm: 2, nodes: [{ id: 1, mem: 300 }], nets: [{ id: 3, name: 'a' }] },
      { nodes: [{ id: 1, smp: 1 }], nets: [{ id: 3, addressed: true }] },
    ]);
    expect(config.nodes).toEqual([{ id: 1, mem: 300, smp: 1 }]);
    expect(config.nets).toEqual([{ id: 3, name: 'a', addressed: true }]);
  });

  it('reads LAB_NETS_VM and rejects a non-number naming the variable', () => {
    expect(mergeConfig([envLayer({ LAB_NETS_VM: '0,1,3' })]).netsVm).toEqual([0, 1, 3]);
    expect(usageMessage(() => envLayer({ LAB_NVM: 'two' }))).toBe('LAB_NVM: "two" is not a whole number');
  });

  it('refuses a per-node override beyond nvm', () => {
    expect(usageMessage(() => mergeConfig([{ nvm: 2, nodes: [{ id: 3, mem: 512 }] }]))).toMatch(
      /node 3 is beyond nvm 2/,
    );
  });
});

describe('topology files: one line naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown field', 'nvm: 2\nnetsvm: [0, 1]\n', /^t\.yaml:2:1: netsvm: unknown field "netsvm"$/],
    ['duplicate net', 'netsVm: [0, 1, 3, 1]\n', /^t\.yaml:1:\d+: netsVm\[3\]: net 1 appears twice$/],
    ['nvm 0', 'nvm: 0\n', /^t\.yaml:1:1: nvm: Too small: expected number to be >=1$/],
    ['mem too small', 'mem: 64\n', /^t\.yaml:1:1: mem: Too small: expected number to be >=128$/],
    [
      'per-node mem too small',
      'nodes:\n  - id: 1\n    mem: 10\n',
      /^t\.yaml:3:5: nodes\[0\]\.mem: Too small/,
    ],
    ['bad YAML', 'nvm: [1\n', /^t\.yaml:\d+:\d+: not valid YAML/],
    ['wrong type', 'nvm: two\n', /^t\.yaml:1:1: nvm: Invalid input: expected number, received string$/],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const message = usageMessage(() => parseTopology(text, 't.yaml'));
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    });
  }

  it('accepts a full topology', () => {
    const topology = parseTopology(
      'nvm: 3\nmem: 512\nnetsVm: [0, 1, 3]\nnets:\n  - id: 3\n    addressed: true\nnodes:\n  - id: 2\n    nets: [0, 1]\n',
      't.yaml',
    );
    expect(topology).toEqual({
      nvm: 3,
      mem: 512,
      netsVm: [0, 1, 3],
      nets: [{ id: 3, addressed: true }],
      nodes: [{ id: 2, nets: [0, 1] }],
    });
  });
});
