// Seed 000's topology without Kubernetes: two VMs on nets 0,1,3,4,5. Every NIC is where the
// plan says (name, MAC, state, addresses), and every VM reaches every other VM on every
// addressed net, IPv4 and IPv6 — plus the host side of each bridge.
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectTrue } from '../lab/scenario/expect.js';
import { type NodePlan, nodeAddresses, withoutPrefix } from '../lab/topology/plan.js';
import { pingAllCommand, unanswered } from './support/ping.js';

interface IpLink {
  ifname: string;
  address: string;
  flags: string[];
  operstate: string;
}
interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}

async function links(ctx: ScenarioContext, vm: string): Promise<IpLink[]> {
  return JSON.parse(await ctx.sh(vm, 'ip -j link show')) as IpLink[];
}

function globalAddresses(entry: IpAddr | undefined): string[] {
  return (entry?.addr_info ?? [])
    .filter((a) => a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`)
    .sort();
}

/** One SSH round trip per source VM: ping every target, report those that do not answer. */
async function unreachable(ctx: ScenarioContext, from: NodePlan, targets: string[]): Promise<string[]> {
  return unanswered(await ctx.sh(from.name, pingAllCommand(targets)));
}

export default defineScenario({
  name: 'multinet',
  description:
    'two VMs on nets 0,1,3,4,5: NICs, MACs and addresses as planned; all-pairs ping, IPv4 and IPv6',
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
  overlays: ['multinet'],
  weight: 1, // minutes under TCG: a few seconds of boot, a minute of steps
  steps: [
    {
      name: 'every VM knows its name',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes)
          expectEqual((await ctx.sh(node.name, 'hostname')).trim(), node.name, `hostname of ${node.name}`);
      },
    },
    {
      name: 'every VM has exactly its planned NICs, with planned MACs, all up',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const actual = (await links(ctx, node.name)).filter((l) => l.ifname !== 'lo');
          expectDeepEqual(
            actual.map((l) => `${l.ifname} ${l.address}`).sort(),
            node.nics.map((n) => `${n.name} ${n.mac}`).sort(),
            `NICs (name MAC) of ${node.name}`,
          );
          for (const link of actual)
            expectTrue(
              link.flags.includes('UP') && link.flags.includes('LOWER_UP'),
              `${node.name} ${link.ifname} is up with carrier (flags ${link.flags.join(',')})`,
            );
        }
      },
    },
    {
      name: 'addresses as planned: both families on addressed nets, none on the others',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const addrs = JSON.parse(await ctx.sh(node.name, 'ip -j addr show')) as IpAddr[];
          for (const nic of node.nics) {
            const expected = [nic.ipv4, nic.ipv6].filter((a): a is string => a !== undefined).sort();
            expectDeepEqual(
              globalAddresses(addrs.find((a) => a.ifname === nic.name)),
              expected,
              `global addresses of ${node.name} ${nic.name} (net ${nic.net})`,
            );
          }
        }
        const unaddressed = ctx.plan.nets.filter((n) => !n.ipv4).map((n) => n.id);
        expectDeepEqual(unaddressed, [3, 4, 5], 'nets without addresses');
      },
    },
    {
      name: 'every VM pings every other VM on every addressed net, IPv4 and IPv6',
      run: async (ctx) => {
        for (const from of ctx.plan.nodes) {
          const targets = ctx.plan.nodes
            .filter((n) => n.id !== from.id)
            .flatMap((n) => nodeAddresses(n).map((a) => a.address));
          expectTrue(targets.length > 0, `${from.name} has targets to ping`);
          // The retry is the check: it fails the step, naming what never answered.
          await ctx.retryUntil(
            `${from.name} reaching ${targets.length} addresses`,
            async () => {
              const missing = await unreachable(ctx, from, targets);
              if (missing.length > 0) throw new Error(`no answer from ${missing.join(', ')}`);
            },
            { timeoutMs: 30_000, intervalMs: 1000 },
          );
          ctx.log(`${from.name} reached ${targets.join(' ')}`);
        }
      },
    },
    {
      name: "every VM reaches the host side of each addressed net's bridge (.250)",
      run: async (ctx) => {
        const hostSides = ctx.plan.nets
          .flatMap((n) => [n.hostIpv4, n.hostIpv6])
          .filter((a): a is string => a !== undefined)
          .map(withoutPrefix);
        for (const node of ctx.plan.nodes)
          expectDeepEqual(
            await unreachable(ctx, node, hostSides),
            [],
            `bridge addresses ${node.name} cannot reach`,
          );
      },
    },
  ],
});
