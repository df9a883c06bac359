// Loads a project TypeScript module (an overlay manifest, a scenario) both from sources
// (tsx, vitest) and from the compiled dist/ tree (the installed `lab` command).
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  return undefined;
}
