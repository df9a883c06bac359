// Doc-tests: the ```console blocks of a Markdown page are commands ("$ " lines, "\" joins
// lines) each followed by the output it shows. A command passes when it exits 0 and every
// shown line appears in its output, in order (other lines may come between). In a shown line
// "…" stands for any text, so timings and generated names need not be spelled out; the time
// of day that starts lab's progress lines is ignored.
// ```sh blocks are shown to the reader but not run (e.g. ./setup.sh, done by CI before).
// A console block after the line `<!-- doctest: nightly -->` (blank lines may come between) is
// long work (a scenario, a second cold lab) that only the nightly run does; CI's skips it.

export interface DocCommand {
  /** 1-based line of the "$ " line in the page. */
  line: number;
  command: string;
  expected: string[];
  /** Its block is marked `<!-- doctest: nightly -->`. */
  nightly: boolean;
}

const FENCE = /^```(\S*)\s*$/;
const NIGHTLY_MARK = /^<!--\s*doctest:\s*nightly\s*-->\s*$/;

export function parseConsoleBlocks(markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  let inConsole = false;
  let inFence = false;
  let current: DocCommand | undefined;
  let continued = false;
  let nightly = false;
  let markedAt: number | undefined; // the line of a mark waiting for its block
  markdown.split('\n').forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (!inFence && NIGHTLY_MARK.test(text)) {
      markedAt = index + 1;
      return;
    }
    if (markedAt !== undefined && !fence && text.trim() !== '')
      throw new Error(`line ${markedAt}: <!-- doctest: nightly --> must come right before a console block`);
    if (fence) {
      if (inFence) {
        inFence = false;
        inConsole = false;
        current = undefined;
      } else {
        inFence = true;
        inConsole = fence[1] === 'console';
        nightly = markedAt !== undefined;
        markedAt = undefined;
      }
      return;
    }
    if (!inConsole) return;
    if (continued && current) {
      current.command += `\n${text}`;
      continued = text.endsWith('\\');
      return;
    }
    if (text.startsWith('$ ')) {
      current = { line: index + 1, command: text.slice(2), expected: [], nightly };
      commands.push(current);
      continued = text.endsWith('\\');
      return;
    }
    if (current && text.trim() !== '') current.expected.push(text.trimEnd());
  });
  return commands;
}

function linePattern(shown: string): RegExp {
  const parts = shown
    .trim()
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Runs of spaces in a table may differ with column widths.
  return new RegExp(`^${parts.map((p) => p.replace(/ +/g, ' +')).join('.*')}$`);
}

/** The shown lines not found in order in `output` (empty: the output holds). */
export function unmatchedLines(expected: string[], output: string): string[] {
  // lab's progress lines start with the time of day; the page shows them without it.
  const lines = output.split('\n').map((l) =>
    l
      .trim()
      .replace(/^\d\d:\d\d:\d\d /, '')
      .trim(),
  );
  let at = 0;
  for (const [index, shown] of expected.entries()) {
    const pattern = linePattern(shown);
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found < 0) return expected.slice(index);
    at = found + 1;
  }
  return [];
}
