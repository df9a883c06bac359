// A strict little XML parser for the report tests (no XML parser is among the dependencies).
// It throws on anything not well-formed that the reports could plausibly produce: unbalanced
// or crossed tags, a bare "<" or "&" in text, unknown entities, unquoted or repeated
// attributes, two roots. Enough to prove the SVG and HTML are markup a browser reads as meant.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = '[A-Za-z_:][-\\w.:]*';
const OPEN_TAG = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`);
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const CLOSE_TAG = new RegExp(`^</(${NAME})\\s*>`);
/** The prolog: an XML declaration, a doctype, comments. */
const SKIPPED = /^(?:<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->)/;

export function parseXml(source: string): XmlElement {
  const document: XmlElement = { name: '#document', attrs: {}, children: [] };
  const open: XmlElement[] = [document];
  let rest = source;
  while (rest.length > 0) {
    const parent = open.at(-1) ?? document;
    const skipped = SKIPPED.exec(rest);
    const closing = CLOSE_TAG.exec(rest);
    const opening = OPEN_TAG.exec(rest);
    if (skipped) {
      rest = rest.slice(skipped[0].length);
    } else if (closing) {
      if (parent.name !== closing[1]) throw new Error(`</${closing[1]}> closes <${parent.name}>`);
      open.pop();
      rest = rest.slice(closing[0].length);
    } else if (opening) {
      if (parent === document && document.children.some((c) => typeof c !== 'string'))
        throw new Error(`second root element <${opening[1]}>`);
      const element: XmlElement = {
        name: opening[1] ?? '',
        attrs: parseAttributes(opening[2] ?? ''),
        children: [],
      };
      parent.children.push(element);
      if (opening[3] !== '/') open.push(element);
      rest = rest.slice(opening[0].length);
    } else if (rest.startsWith('<')) {
      throw new Error(`not a tag: ${rest.slice(0, 40)}`);
    } else {
      const end = rest.indexOf('<');
      const raw = end === -1 ? rest : rest.slice(0, end);
      if (parent === document && raw.trim() !== '')
        throw new Error(`text outside the root: ${raw.slice(0, 40)}`);
      parent.children.push(decodeEntities(raw));
      rest = rest.slice(raw.length);
    }
  }
  if (open.length > 1) throw new Error(`<${open.at(-1)?.name}> is never closed`);
  const root = document.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!root) throw new Error('no root element');
  return root;
}

function parseAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const match of text.matchAll(ATTRIBUTE)) {
    const name = match[1] ?? '';
    const raw = match[2] ?? match[3] ?? '';
    if (name in attrs) throw new Error(`attribute ${name} appears twice`);
    if (raw.includes('<')) throw new Error(`"<" in attribute ${name}`);
    attrs[name] = decodeEntities(raw);
  }
  return attrs;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&([^;\s&]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare "&" in: ${text.slice(0, 40)}`);
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9a-f]+)|(\d+))$/i.exec(ref);
    if (!numeric) throw new Error(`unknown entity &${ref};`);
    return String.fromCodePoint(numeric[1] ? Number.parseInt(numeric[1], 16) : Number(numeric[2]));
  });
}

/** Every element below `root` (and root itself) for which `match` holds, in document order. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const found = match(root) ? [root] : [];
  for (const child of root.children) if (typeof child !== 'string') found.push(...findAll(child, match));
  return found;
}

export const byClass = (name: string) => (e: XmlElement) => (e.attrs.class ?? '').split(/\s+/).includes(name);

export const byName = (name: string) => (e: XmlElement) => e.name === name;

/** All text below `node`, concatenated, as a reader would get it. */
export function textOf(node: XmlNode): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}
