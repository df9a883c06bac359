// Tests that run a host program fail with the package to install, not a bare spawn ENOENT.
import { spawnSync } from 'node:child_process';
import { installHint } from '../../lab/doctor/host-tools.js';

/** Throws "<command> is not installed: apt-get install <package> ..." when it is not on PATH. */
export function requireHostTool(command: string): void {
  const found = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command]).status === 0;
  if (!found) throw new Error(`${command} is not installed: ${installHint(command)}`);
}
