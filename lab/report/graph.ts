// An SVG picture of a lab, drawn from its plan: VMs as boxes in a row, each net as a horizontal
// bus below them, and a line from every NIC down to its net's bus.
// Every coordinate is a whole number computed from the plan alone (text widths are estimated
// from a monospace font, never measured), so the same plan always gives the same bytes.
import type { LabPlan, NetPlan, NicPlan, NodePlan } from '../topology/plan.js';
import { attributes, escapeMarkup } from './markup.js';

const MARGIN = 16;
const HEADING_HEIGHT = 34;
const BOX_PADDING = 10;
const BOX_GAP = 24;
const MIN_BOX_WIDTH = 150;
/** Room per NIC along a box's bottom edge, so the "ethN" labels of neighbouring ports never touch. */
const PORT_SPACING = 34;
const LINE_HEIGHT = 15;
const SWATCH = 8;
const SWATCH_ROOM = SWATCH + 4;
/** From a box's bottom edge to the first bus: room for the port labels. */
const PORT_LABEL_ROOM = 30;
const BUS_GAP = 54;
/** Below the last bus: its subnet lines. */
const BUS_LABEL_DEPTH = 30;
const LABEL_COLUMN_GAP = 24;

const FONT = { heading: 14, vm: 13, nic: 12, detail: 11, small: 10 } as const;
/** Monospace glyphs are about 0.6 em wide (DejaVu Sans Mono, Liberation Mono, Menlo). */
const GLYPH_WIDTH = 0.6;

const INK = '#1f2328';
const MUTED = '#57606a';
/** Net colours, by position in the plan: neighbouring buses never share a colour. */
const NET_COLOURS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#9a6700', '#bf3989'];

type FontSize = (typeof FONT)[keyof typeof FONT];

interface TextLine {
  text: string;
  size: FontSize;
  bold?: boolean;
  colour?: string;
  /** Draws a small square of this colour before the text: the NIC's net. */
  swatch?: string;
  /** Starts the text this far right: after the swatch, or under the text of the line above. */
  indent?: number;
}

interface BoxLayout {
  node: NodePlan;
  x: number;
  width: number;
  lines: TextLine[];
}

export function topologySvg(plan: LabPlan): string {
  const netColour = new Map(plan.nets.map((net, index) => [net.id, colourAt(index)]));
  const labelColumn = Math.max(0, ...plan.nets.map((net) => maxWidth(netLabel(net)))) + LABEL_COLUMN_GAP;

  const boxes = layoutBoxes(plan.nodes, MARGIN + labelColumn, netColour);
  const boxTop = MARGIN + HEADING_HEIGHT;
  const boxHeight = Math.max(0, ...boxes.map((box) => box.lines.length)) * LINE_HEIGHT + 2 * BOX_PADDING;
  const firstBusY = boxTop + boxHeight + PORT_LABEL_ROOM;
  const busY = new Map(plan.nets.map((net, index) => [net.id, firstBusY + index * BUS_GAP]));

  const lastBox = boxes.at(-1);
  const contentRight = lastBox ? lastBox.x + lastBox.width : MARGIN + labelColumn;
  const title: TextLine = {
    text: `lab ${plan.name}: ${topologySummary(plan)}`,
    size: FONT.heading,
    bold: true,
  };
  const width = Math.max(contentRight, MARGIN + maxWidth([title])) + MARGIN;
  const height = firstBusY + Math.max(0, plan.nets.length - 1) * BUS_GAP + BUS_LABEL_DEPTH + MARGIN;

  const parts = [
    `<svg${attributes({
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'font-family': 'monospace',
      'data-lab': plan.name,
    })}>`,
    `<title>${escapeMarkup(`Topology of lab ${plan.name}: ${topologySummary(plan)}`)}</title>`,
    `<rect${attributes({ width, height, fill: '#ffffff' })}/>`,
    textElement(title, MARGIN, MARGIN + 16),
    ...plan.nets.map((net) =>
      netGroup(net, busY.get(net.id) ?? firstBusY, width - MARGIN, netColour.get(net.id) ?? INK),
    ),
    ...boxes.map((box) => vmGroup(box, boxTop, boxHeight, busY, netColour)),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

/** "3 VMs, 2 nets". */
export function topologySummary(plan: LabPlan): string {
  return `${count(plan.nodes.length, 'VM')}, ${count(plan.nets.length, 'net')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function colourAt(index: number): string {
  return NET_COLOURS[index % NET_COLOURS.length] ?? INK;
}

// --- nets ------------------------------------------------------------------------------------

/** "net 3 (br3)", then the subnets; a net's own name is added when it is not the default. */
function netLabel(net: NetPlan): TextLine[] {
  const named = net.name === `net${net.id}` ? '' : ` ${net.name}`;
  const subnets = [net.ipv4, net.ipv6].filter((s): s is string => s !== undefined);
  return [
    { text: `net ${net.id} (${net.bridge})${named}`, size: FONT.nic, bold: true },
    ...(subnets.length > 0 ? subnets : ['no addresses (L2 only)']).map(
      (text): TextLine => ({ text, size: FONT.small, colour: MUTED }),
    ),
  ];
}

/** The bus spans the whole picture; its name sits above it at the left, its subnets below. */
function netGroup(net: NetPlan, y: number, right: number, colour: string): string {
  const [name, ...subnets] = netLabel(net);
  return [
    `<g${attributes({ class: 'net', 'data-net': net.id, 'data-bridge': net.bridge })}>`,
    `<line${attributes({ x1: MARGIN, y1: y, x2: right, y2: y, stroke: colour, 'stroke-width': 3 })}/>`,
    name ? textElement(name, MARGIN, y - 6) : '',
    ...subnets.map((line, index) => textElement(line, MARGIN, y + 14 + index * 12)),
    '</g>',
  ].join('\n');
}

// --- VMs -------------------------------------------------------------------------------------

function layoutBoxes(nodes: NodePlan[], left: number, netColour: Map<number, string>): BoxLayout[] {
  let x = left;
  return nodes.map((node) => {
    const lines = vmLines(node, netColour);
    const width = Math.max(
      MIN_BOX_WIDTH,
      maxWidth(lines) + 2 * BOX_PADDING,
      (node.nics.length + 1) * PORT_SPACING,
    );
    const box = { node, x, width, lines };
    x += width + BOX_GAP;
    return box;
  });
}

function vmLines(node: NodePlan, netColour: Map<number, string>): TextLine[] {
  return [
    { text: node.name, size: FONT.vm, bold: true },
    { text: `${node.mem} MiB, ${count(node.smp, 'vCPU')}`, size: FONT.small, colour: MUTED },
    ...node.nics.flatMap((nic) => nicLines(nic, netColour.get(nic.net) ?? INK)),
  ];
}

function nicLines(nic: NicPlan, colour: string): TextLine[] {
  const addresses = [nic.ipv4, nic.ipv6].filter((a): a is string => a !== undefined);
  return [
    { text: `${nic.name} ${nic.mac}`, size: FONT.nic, swatch: colour, indent: SWATCH_ROOM },
    ...addresses.map((text): TextLine => ({ text, size: FONT.detail, colour: MUTED, indent: SWATCH_ROOM })),
  ];
}

function vmGroup(
  box: BoxLayout,
  top: number,
  height: number,
  busY: Map<number, number>,
  netColour: Map<number, string>,
): string {
  const bottom = top + height;
  const portSpacing = box.width / (box.node.nics.length + 1);
  const links = box.node.nics.map((nic, index) =>
    nicLink(nic, Math.round(box.x + portSpacing * (index + 1)), bottom, busY.get(nic.net), netColour),
  );
  return [
    `<g${attributes({ class: 'vm', 'data-vm': box.node.name })}>`,
    `<rect${attributes({ x: box.x, y: top, width: box.width, height, rx: 6, fill: '#f6f8fa', stroke: INK })}/>`,
    ...box.lines.map((line, index) =>
      textElement(line, box.x + BOX_PADDING, top + BOX_PADDING + (index + 1) * LINE_HEIGHT - 3),
    ),
    ...links,
    '</g>',
  ].join('\n');
}

/** A vertical line from the NIC's port on the box down to its bus, with a dot where they join. */
function nicLink(
  nic: NicPlan,
  x: number,
  top: number,
  busY: number | undefined,
  netColour: Map<number, string>,
): string {
  const colour = netColour.get(nic.net) ?? INK;
  const port = attributes({ x: x + 3, y: top + 12, 'font-size': FONT.small, fill: MUTED });
  // A NIC whose net is missing from the plan (a hand-edited state file) keeps its label but
  // has no bus to reach.
  const wire =
    busY === undefined
      ? []
      : [
          `<line${attributes({ x1: x, y1: top, x2: x, y2: busY, stroke: colour, 'stroke-width': 1.5 })}/>`,
          `<circle${attributes({ cx: x, cy: busY, r: 4, fill: colour })}/>`,
        ];
  return [
    `<g${attributes({ class: 'link', 'data-nic': nic.name, 'data-net': nic.net, 'data-mac': nic.mac })}>`,
    ...wire,
    `<text${port}>${escapeMarkup(nic.name)}</text>`,
    '</g>',
  ].join('\n');
}

// --- text ------------------------------------------------------------------------------------

function textElement(line: TextLine, x: number, baseline: number): string {
  const swatch = line.swatch
    ? `<rect${attributes({ x, y: baseline - SWATCH, width: SWATCH, height: SWATCH, fill: line.swatch })}/>`
    : '';
  const text = `<text${attributes({
    x: x + (line.indent ?? 0),
    y: baseline,
    'font-size': line.size,
    'font-weight': line.bold ? 'bold' : undefined,
    fill: line.colour ?? INK,
  })}>${escapeMarkup(line.text)}</text>`;
  return swatch + text;
}

function maxWidth(lines: TextLine[]): number {
  return Math.max(0, ...lines.map((line) => textWidth(line.text, line.size) + (line.indent ?? 0)));
}

function textWidth(text: string, size: FontSize): number {
  // Code points, not UTF-16 units: a name with an emoji is one glyph wide, not two.
  return Math.ceil([...text].length * size * GLYPH_WIDTH);
}
