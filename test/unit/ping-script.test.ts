// The scenarios' ping helper: every target is an argument, so an address (or anything else)
// never becomes shell text; run here with a stand-in ping on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pingAllArgv, pingAllCommand, unanswered } from '../../scenarios/support/ping.js';
import { testTempDir } from '../support/temp-dir.js';

/** A PATH whose `ping` answers only for 10.0.0.1 and records how it was called. */
function fakePing(dir: string): NodeJS.ProcessEnv {
  writeFileSync(
    join(dir, 'ping'),
    `#!/bin/sh\necho "$@" >> ${dir}/calls\nfor last; do :; done\n[ "$last" = 10.0.0.1 ]\n`,
    { mode: 0o755 },
  );
  return { ...process.env, PATH: `${dir}:${process.env.PATH}` };
}

describe('pingAllCommand / pingAllArgv', () => {
  it('prints the targets that did not answer, and a hostile target stays a word', () => {
    const dir = testTempDir('lab-ping-');
    const env = fakePing(dir);
    const hostile = `x'; touch ${dir}/pwned; echo '`;
    const out = execFileSync('sh', ['-c', pingAllCommand(['10.0.0.1', 'fd00::2', hostile])], {
      env,
      encoding: 'utf8',
    });
    expect(unanswered(out)).toEqual(['fd00::2', hostile]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);

    const [file, ...args] = pingAllArgv(['10.0.0.1'], { waitSec: 5, via: ['env'] });
    expect(execFileSync(file as string, args, { env, encoding: 'utf8' })).toBe('');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toContain('-c1 -W5 10.0.0.1');
  });
});
