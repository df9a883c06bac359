// Reads a topology YAML file and validates it, pointing at line:column on error.
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../util/errors.js';
import { usageErrorFromZod } from './issues.js';
import { type Topology, topologySchema } from './schema.js';

export function parseTopology(text: string, file: string): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const pos = syntaxError.linePos?.[0];
    const at = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new UsageError(`${at}: not valid YAML: ${syntaxError.message.split('\n')[0]}`);
  }
  const data = doc.toJS() ?? {};
  const result = topologySchema.safeParse(data);
  if (result.success) return result.data;
  const locate = (path: readonly PropertyKey[]) => {
    // Walk up until a node with a source range exists (a missing key has none).
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      const range = isNode(node) ? node.range : undefined;
      if (range) {
        const { line, col } = lineCounter.linePos(range[0]);
        return `${file}:${line}:${col}`;
      }
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
