// The topology picture: parsed as XML, then checked for what a reader needs from it: a box per
// VM, a bus per net, every NIC's MAC and addresses, each NIC wired to its own net; and the
// `lab graph` command that writes it without starting anything.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_GRAPH_FILE, graphTarget, STDOUT } from '../../lab/cli/commands/graph.js';
import { main } from '../../lab/cli/main.js';
import { resolveLab } from '../../lab/lifecycle/resolve.js';
import { topologySvg } from '../../lab/report/graph.js';
import type { ConfigLayer } from '../../lab/topology/config.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { type LabPlan, planLab } from '../../lab/topology/plan.js';
import { labStateFixture } from '../support/lab-state.js';
import { byClass, byName, findAll, parseXml, textOf, type XmlElement } from './xml-tree.js';

const planOf = (layer: ConfigLayer): LabPlan => planLab(mergeConfig([layer]));

/** Three VMs, an unaddressed net and a VM with fewer NICs than the rest. */
const mixedPlan = planOf({
  name: 'mixed',
  nvm: 3,
  netsVm: [0, 1, 3],
  nets: [{ id: 3, name: 'macvlan' }],
  nodes: [{ id: 2, nets: [0] }],
});

function svgTree(plan: LabPlan): XmlElement {
  return parseXml(topologySvg(plan));
}

const vmGroups = (svg: XmlElement) => findAll(svg, byClass('vm'));
const netGroups = (svg: XmlElement) => findAll(svg, byClass('net'));
const numberAttr = (e: XmlElement | undefined, name: string) => Number(e?.attrs[name]);

describe('topologySvg', () => {
  it('has a root with the lab name, a title, and a size that matches its viewBox', () => {
    const svg = svgTree(mixedPlan);
    expect(svg.name).toBe('svg');
    expect(svg.attrs['data-lab']).toBe('mixed');
    expect(svg.attrs.viewBox).toBe(`0 0 ${svg.attrs.width} ${svg.attrs.height}`);
    const title = svg.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'title');
    expect(title && textOf(title)).toBe('Topology of lab mixed: 3 VMs, 3 nets');
  });

  it('draws one group per VM and per net, in plan order', () => {
    const svg = svgTree(mixedPlan);
    expect(vmGroups(svg).map((g) => g.attrs['data-vm'])).toEqual(['vm-001', 'vm-002', 'vm-003']);
    expect(netGroups(svg).map((g) => g.attrs['data-net'])).toEqual(['0', '1', '3']);
    const labels = netGroups(svg).map(textOf);
    expect(labels[0]).toContain('net 0 (br0)');
    expect(labels[0]).toContain('192.168.0.0/24');
    expect(labels[2]).toContain('net 3 (br3) macvlan');
    expect(labels[2]).toContain('no addresses');
  });

  it("shows every NIC's name, MAC and addresses inside its VM's box", () => {
    const svg = svgTree(mixedPlan);
    for (const node of mixedPlan.nodes) {
      const group = vmGroups(svg).find((g) => g.attrs['data-vm'] === node.name);
      const lines = findAll(group ?? svg, byName('text')).map(textOf);
      expect(lines[0]).toBe(node.name);
      for (const nic of node.nics) {
        expect(lines).toContain(`${nic.name} ${nic.mac}`);
        for (const address of [nic.ipv4, nic.ipv6].filter(Boolean)) expect(lines).toContain(address);
      }
    }
    // The override really took: vm-002 has one NIC, the others three.
    expect(vmGroups(svg).map((g) => findAll(g, byClass('link')).length)).toEqual([3, 1, 3]);
  });

  it("wires every NIC from its VM's box down to its own net's bus", () => {
    const svg = svgTree(mixedPlan);
    const busY = new Map(
      netGroups(svg).map((g) => [g.attrs['data-net'], numberAttr(findAll(g, byName('line'))[0], 'y1')]),
    );
    for (const group of vmGroups(svg)) {
      const box = findAll(group, byName('rect'))[0];
      const boxBottom = numberAttr(box, 'y') + numberAttr(box, 'height');
      const node = mixedPlan.nodes.find((n) => n.name === group.attrs['data-vm']);
      const links = findAll(group, byClass('link'));
      expect(links.map((l) => [l.attrs['data-nic'], l.attrs['data-net'], l.attrs['data-mac']])).toEqual(
        node?.nics.map((nic) => [nic.name, String(nic.net), nic.mac]),
      );
      for (const link of links) {
        const wire = findAll(link, byName('line'))[0];
        expect(numberAttr(wire, 'y1')).toBe(boxBottom);
        expect(numberAttr(wire, 'y2')).toBe(busY.get(link.attrs['data-net']));
        const joint = findAll(link, byName('circle'))[0];
        expect([numberAttr(joint, 'cx'), numberAttr(joint, 'cy')]).toEqual([
          numberAttr(wire, 'x2'),
          numberAttr(wire, 'y2'),
        ]);
        expect(numberAttr(wire, 'x1')).toBeGreaterThan(numberAttr(box, 'x'));
        expect(numberAttr(wire, 'x1')).toBeLessThan(numberAttr(box, 'x') + numberAttr(box, 'width'));
      }
    }
  });

  const sizes = [
    [1, 1],
    [2, 2],
    [4, 3],
    [8, 1],
    [1, 8],
    [8, 8],
  ] as const;
  for (const [nvm, nets] of sizes) {
    it(`lays out ${nvm} VM(s) on ${nets} net(s): boxes side by side, everything inside the picture`, () => {
      const plan = planOf({ nvm, netsVm: Array.from({ length: nets }, (_, i) => i) });
      const svg = svgTree(plan);
      expect(vmGroups(svg)).toHaveLength(nvm);
      expect(netGroups(svg)).toHaveLength(nets);
      const boxes = vmGroups(svg).map((g) => findAll(g, byName('rect'))[0]);
      boxes.slice(1).forEach((box, index) => {
        const left = boxes[index];
        expect(numberAttr(box, 'x')).toBeGreaterThan(numberAttr(left, 'x') + numberAttr(left, 'width'));
      });
      const [width, height] = [numberAttr(svg, 'width'), numberAttr(svg, 'height')];
      for (const e of findAll(svg, () => true)) {
        for (const name of ['x', 'x1', 'x2', 'cx'])
          if (name in e.attrs) expect(numberAttr(e, name)).toBeLessThanOrEqual(width);
        for (const name of ['y', 'y1', 'y2', 'cy'])
          if (name in e.attrs) expect(numberAttr(e, name)).toBeLessThanOrEqual(height);
      }
    });
  }

  it('escapes a hostile lab name and net name everywhere, and drops characters XML forbids', () => {
    const hostile = `<script>alert("x")</script> & 'q' \u0007]]>`;
    const plan: LabPlan = {
      ...mixedPlan,
      name: hostile,
      nets: mixedPlan.nets.map((net) => ({ ...net, name: '</text><a href="x">' })),
    };
    const text = topologySvg(plan);
    expect(text).not.toContain('<script');
    expect(text).not.toContain('\u0007');
    const svg = parseXml(text);
    const clean = hostile.replace('\u0007', '');
    expect(svg.attrs['data-lab']).toBe(clean);
    expect(findAll(svg, (e) => e.name === 'script' || e.name === 'a')).toEqual([]);
    expect(textOf(svg)).toContain(`Topology of lab ${clean}`);
    expect(textOf(netGroups(svg)[0] ?? svg)).toContain('</text><a href="x">');
  });

  it('gives the same bytes for the same plan, also after a JSON round trip (a state file)', () => {
    const first = topologySvg(mixedPlan);
    expect(topologySvg(mixedPlan)).toBe(first);
    expect(topologySvg(JSON.parse(JSON.stringify(mixedPlan)) as LabPlan)).toBe(first);
    expect(topologySvg({ ...mixedPlan, name: 'other' })).not.toBe(first);
  });

  it('refers to nothing outside itself: no scripts, links, images or fonts', () => {
    const svg = svgTree(planOf({ nvm: 2 }));
    const names = new Set(findAll(svg, () => true).map((e) => e.name));
    for (const banned of ['script', 'a', 'image', 'use', 'style', 'foreignObject'])
      expect(names).not.toContain(banned);
    expect(topologySvg(planOf({ nvm: 2 }))).not.toMatch(/href|url\(|@import/);
  });
});

describe('the XML checks themselves', () => {
  it('reject what is not well-formed', () => {
    expect(() => parseXml('<svg><g></svg>')).toThrow(/closes <g>/);
    expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow(/not a tag/);
    expect(() => parseXml('<svg><text>a & b</text></svg>')).toThrow(/bare "&"/);
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow(/twice/);
    expect(() => parseXml('<svg a=1/>')).toThrow(/not a tag/);
    expect(() => parseXml('<svg/><svg/>')).toThrow(/second root/);
    expect(() => parseXml('<svg><g>')).toThrow(/never closed/);
  });

  const xmllint = spawnSync('xmllint', ['--version']).status === 0;
  it.skipIf(!xmllint)('xmllint agrees the picture, hostile name included, is well-formed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-graph-'));
    try {
      const file = join(dir, 'topology.svg');
      writeFileSync(file, topologySvg({ ...mixedPlan, name: `<&"'\u0001>` }));
      const run = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      writeFileSync(file, '<svg><text>a < b</text></svg>');
      expect(spawnSync('xmllint', ['--noout', file]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lab graph', () => {
  let dir: string;
  let savedState: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-graph-cli-'));
    savedState = process.env.LAB_STATE;
    process.env.LAB_STATE = join(dir, 'state'); // never the user's real labs
  });
  afterEach(() => {
    if (savedState === undefined) delete process.env.LAB_STATE;
    else process.env.LAB_STATE = savedState;
    rmSync(dir, { recursive: true, force: true });
  });

  async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const output = { stdout: '', stderr: '' };
    const capture = (stream: 'stdout' | 'stderr') =>
      vi.spyOn(process[stream], 'write').mockImplementation((chunk) => {
        output[stream] += String(chunk);
        return true;
      });
    const spies = [
      capture('stdout'),
      capture('stderr'),
      vi.spyOn(console, 'log').mockImplementation((...parts) => {
        output.stdout += `${parts.join(' ')}\n`;
      }),
    ];
    try {
      process.exitCode = undefined;
      return { code: await main(['node', 'lab', ...args]), ...output };
    } finally {
      for (const spy of spies) spy.mockRestore();
      process.exitCode = undefined;
    }
  }

  function recordLab(plan: LabPlan): void {
    const labDir = join(dir, 'state', 'labs', plan.name);
    mkdirSync(labDir, { recursive: true });
    writeFileSync(
      join(labDir, 'state.json'),
      JSON.stringify(labStateFixture(plan.name, labDir, { phase: 'running', plan })),
    );
  }

  it('plans from flags and writes the file it names', async () => {
    const file = join(dir, 'g.svg');
    const { code, stdout } = await lab('graph', '--nvm', '3', '--nets-vm', '0,1,4', '-o', file);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${file}`);
    const svg = parseXml(readFileSync(file, 'utf8'));
    expect(vmGroups(svg)).toHaveLength(3);
    expect(netGroups(svg).map((g) => g.attrs['data-net'])).toEqual(['0', '1', '4']);
  });

  it('writes only the SVG to stdout with -o -, the note to stderr', async () => {
    const { code, stdout, stderr } = await lab('graph', '--nvm', '1', '-o', '-');
    expect(code).toBe(0);
    expect(parseXml(stdout).attrs['data-lab']).toBe('default');
    expect(stderr).toContain('to stdout');
  });

  it("draws a lab's recorded plan when only --name is given, the config as soon as a flag is", async () => {
    recordLab({ ...planOf({ name: 'rec', nvm: 4 }) });
    const file = join(dir, 'g.svg');
    const recorded = await lab('graph', '--name', 'rec', '-o', file);
    expect(recorded.stdout).toContain('recorded plan of lab "rec"');
    expect(vmGroups(parseXml(readFileSync(file, 'utf8')))).toHaveLength(4);

    const planned = await lab('graph', '--name', 'rec', '--nvm', '1', '-o', file);
    expect(planned.stdout).toContain('from the configuration');
    expect(vmGroups(parseXml(readFileSync(file, 'utf8')))).toHaveLength(1);
  });

  it('rejects bad flags like lab start does', async () => {
    const { code, stderr } = await lab('graph', '--nvm', '0', '-o', '-');
    expect(code).toBe(2);
    expect(stderr).toMatch(/nvm/);
  });

  it('documents every option', async () => {
    const { stdout } = await lab('graph', '--help');
    for (const option of [
      '--output',
      '--name',
      '--topology',
      '--nvm',
      '--nets-vm',
      '--mem',
      '--smp',
      '--accel',
    ])
      expect(stdout).toContain(option);
    expect(stdout).toContain(DEFAULT_GRAPH_FILE);
  });

  it('defaults to stdout when piped and to a file on a terminal', () => {
    expect(graphTarget(undefined, false)).toBe(STDOUT);
    expect(graphTarget(undefined, true)).toBe(DEFAULT_GRAPH_FILE);
    expect(graphTarget('x.svg', true)).toBe('x.svg');
  });
});

describe('docs/multus-topology.svg', () => {
  it('is what lab graph draws for the multus lab today (regenerate: npx lab graph multus -o docs/multus-topology.svg)', async () => {
    const { config } = await resolveLab([{ overlays: ['multus'] }]);
    const committed = readFileSync(join(import.meta.dirname, '../../docs/multus-topology.svg'), 'utf8');
    expect(committed.trim()).toBe(topologySvg(planLab(config)).trim());
  });
});
