// Reads a topology YAML file and validates it, pointing at line:column on error.
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../util/errors.js';
import { usageErrorFromZod } from './issues.js';
import { type Topology, topologySchema } from './schema.js';

export function parseTopology(text: string, file: string): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    const at = `${file}:${line}:${col}`;
    throw new UsageError(`${at}: not valid YAML: ${syntaxError.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {}; // an alias without its anchor only fails here
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = topologySchema.safeParse(data);
  if (result.success) return result.data;
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const locate = (path: readonly PropertyKey[]) => {
    // An unknown key: point at the key itself, not at its value.
    const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
    const key = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return at(pair.key.range[0]);
    }
    // Otherwise walk up until a node with a source range exists (a missing key has none).
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return undefined;
  };
  throw usageErrorFromZod(result.error, file, locate);
}

export async function loadTopology(file: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read topology file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseTopology(text, file);
}
