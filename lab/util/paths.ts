// Where lab keeps things on the host. Everything is overridable for tests and CI.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';

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

/** A lab's name: it becomes a directory, a namespace (lab-<name>) and part of process names. */
export const LAB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,11}$/;
export const LAB_NAME_RULE = 'must be 1-12 characters: a-z, 0-9, -, starting with a letter';

/** An overlay's name is a folder name, never a path (checked before anything is imported). */
export const OVERLAY_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Refuses a name that could reach outside the labs directory (`--name ../x`) before it is used. */
export function checkLabName(lab: string): string {
  if (!LAB_NAME_PATTERN.test(lab)) throw new UsageError(`lab name "${lab}" ${LAB_NAME_RULE}`);
  return lab;
}

export function labDir(lab: string, env = process.env): string {
  return join(stateDir(env), 'labs', checkLabName(lab));
}
