// Loads a project TypeScript module (an overlay manifest, a scenario) both from sources
// (tsx, vitest) and from the compiled dist/ tree (the installed `lab` command).
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LabError } from './errors.js';
import { PROJECT_ROOT } from './paths.js';

const runningCompiled = import.meta.url.endsWith('.js');

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** `sourceFile` is a .ts path; returns the module, or undefined when neither form exists. */
export async function importProjectModule(sourceFile: string): Promise<Record<string, unknown> | undefined> {
  const candidates = runningCompiled
    ? [
        join(PROJECT_ROOT, 'dist', relative(PROJECT_ROOT, sourceFile)).replace(/\.ts$/, '.js'),
        sourceFile.replace(/\.ts$/, '.js'),
      ]
    : [sourceFile];
  for (const file of candidates) {
    if (await isFile(file)) return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  // A checkout where the source is newer than the build: say so, not "unknown".
  if (runningCompiled && (await isFile(sourceFile))) {
    const ours = !relative(PROJECT_ROOT, sourceFile).startsWith('..');
    throw new LabError(
      `${ours ? relative(PROJECT_ROOT, sourceFile) : sourceFile} has no compiled copy`,
      ours
        ? 'run npm run build (./setup.sh does) after adding an overlay or a scenario'
        : `compile it to ${sourceFile.replace(/\.ts$/, '.js')} (e.g. npx tsc), which lab loads`,
    );
  }
  return undefined;
}
