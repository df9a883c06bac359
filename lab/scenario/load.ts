// Finds scenarios/<name>.ts and checks it really is a scenario.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { PROJECT_ROOT } from '../util/paths.js';
import { importProjectModule } from '../util/project-module.js';
import type { Scenario } from './define.js';

export const SCENARIO_DIR = join(PROJECT_ROOT, 'scenarios');

export async function listScenarioNames(): Promise<string[]> {
  const files = await readdir(SCENARIO_DIR).catch(() => [] as string[]);
  return files
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadScenario(name: string): Promise<Scenario> {
  // A scenario name is a file name in scenarios/, never a path: checked before any import.
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
    throw new UsageError(
      `scenario "${name}" is not a scenario name (lower-case letters, digits and dashes)`,
      `scenarios: ${(await listScenarioNames()).join(', ')}`,
    );
  const module = await importProjectModule(join(SCENARIO_DIR, `${name}.ts`));
  const scenario = module?.default as Scenario | undefined;
  if (!scenario || !Array.isArray(scenario.steps)) {
    throw new UsageError(
      `unknown scenario "${name}"`,
      `scenarios: ${(await listScenarioNames()).join(', ')}`,
    );
  }
  return scenario;
}
