// Thousands of random topology documents, valid and broken, through what `lab env --topology`
// runs (YAML parse, schema, merge, plan, overlay names): each gives a plan or a usage error
// that names a field, never an internal error, and nothing touches a file.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resolveOverlays } from '../../lab/overlay/registry.js';
import { mergeConfig, topologyLayer } from '../../lab/topology/config.js';
import { parseTopology } from '../../lab/topology/load.js';
import { planLab } from '../../lab/topology/plan.js';
import { UsageError } from '../../lab/util/errors.js';

const FIELDS = /\b(nvm|mem|smp|netsVm|nets|nodes|overlays|ipv6Prefix|accel|name|net \d+|topology\.yaml)\b/;

// Mostly plausible values, with broken ones mixed in: wrong types, out of range, path-like.
const anything = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.double());
const netId = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: -3, max: 200 }), anything);
const cidr4 = fc.oneof(
  fc.constantFrom(
    '10.0.0.0/24',
    '10.0.0.0/16',
    '10.0.0.0/28',
    '192.168.3.0/24',
    '192.168.0.0/16',
    '10.1.0.0/8',
  ),
  fc.string(),
);
const cidr6 = fc.oneof(
  fc.constantFrom('fd00:1::/120', 'fd00:1::/64', 'fd00:1::/126', 'fd00::/100', 'fd00::/96'),
  fc.string(),
);
const net = fc.record(
  { id: netId, addressed: fc.oneof(fc.boolean(), anything), ipv4: cidr4, ipv6: cidr6, name: fc.string() },
  { requiredKeys: ['id'] },
);
const netsVm = fc.oneof(fc.array(netId, { maxLength: 20 }), anything);
const topology = fc.record(
  {
    nvm: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -1, max: 400 }), anything),
    mem: fc.oneof(fc.constantFrom(64, 128, 256, 2048), anything),
    smp: fc.oneof(fc.integer({ min: 0, max: 70 }), anything),
    netsVm,
    nets: fc.oneof(fc.array(net, { maxLength: 4 }), anything),
    nodes: fc.oneof(
      fc.array(
        fc.record(
          { id: netId, mem: fc.integer(), smp: fc.integer(), nets: netsVm },
          { requiredKeys: ['id'] },
        ),
        {
          maxLength: 3,
        },
      ),
      anything,
    ),
    overlays: fc.oneof(
      fc.array(fc.constantFrom('multinet', 'cni', 'nosuch', '../x', '../../etc/evil', 'Multus', ''), {
        maxLength: 3,
      }),
      anything,
    ),
    ipv6Prefix: fc.oneof(fc.constantFrom('fd00:4c41::/96', 'fd00::/64', 'fd00::/100', 'x'), anything),
    accel: fc.oneof(fc.constantFrom('auto', 'kvm', 'tcg', 'qemu'), anything),
    [`unknown${''}`]: anything,
  },
  { requiredKeys: [] },
);

/** What lab env --topology does with a file's text; throws what it throws. */
async function envOf(text: string): Promise<void> {
  const parsed = parseTopology(text, 'topology.yaml');
  const config = mergeConfig([topologyLayer(parsed)]);
  await resolveOverlays(config.overlays);
  planLab(config);
}

describe('random topology documents', () => {
  it('give a plan or a usage error naming a field, never an internal error, and touch no file', async () => {
    const watched = mkdtempSync(join(tmpdir(), 'lab-property-'));
    const saved = process.env.LAB_STATE;
    process.env.LAB_STATE = watched;
    let plans = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          topology.map((t) => stringify(t)),
          fc.string(),
        ),
        async (text) => {
          try {
            await envOf(text);
            plans++;
          } catch (err) {
            if (!(err instanceof UsageError)) throw err;
            expect(err.message).toMatch(FIELDS);
            errors++;
          }
        },
      ),
      { numRuns: 2000 },
    );
    process.env.LAB_STATE = saved;
    expect(readdirSync(watched)).toEqual([]);
    rmSync(watched, { recursive: true });
    // The generator must really reach both outcomes, or the property says little.
    expect(plans).toBeGreaterThan(20);
    expect(errors).toBeGreaterThan(200);
  }, 60_000);
});
