// Where lab keeps things on the host. Everything is overridable for tests and CI.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: overlays/, scenarios/, images/ live here. */
export const PROJECT_ROOT = resolve(
  fileURLToPath(new URL('../..', import.meta.url)).replace(/\/dist\/?$/, ''),
);

/** Shared by every lab: downloads, built images and layers. Safe for concurrent use. */
export function cacheDir(env = process.env): string {
  return env.LAB_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lab');
}

/** Per-lab runtime state: state.json, disks, sockets, logs. Removed by `lab stop`/`lab clean`. */
export function stateDir(env = process.env): string {
  return env.LAB_STATE ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'lab');
}

export function labDir(lab: string, env = process.env): string {
  return join(stateDir(env), 'labs', lab);
}
