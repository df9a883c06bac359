// private-reg's pull before a save, run by sh against a fake ctr: a pull that hangs after the
// image is complete counts as pulled; a pull that never completes fails with ctr's last words.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullCommand } from '../../overlays/private-reg/before-save.js';
import { testTempDir } from '../support/temp-dir.js';

const REF = 'docker.io/library/alpine:latest';

function runWithFakeCtr(env: Record<string, string>) {
  const bin = testTempDir('lab-fake-ctr-');
  writeFileSync(
    join(bin, 'ctr'),
    [
      '#!/bin/sh',
      'case "$*" in',
      '  *"images pull"*) echo "pulls: $*" >> "$LOG"; [ -n "$HANG" ] && sleep 30; echo "ctr: $PULL_SAYS"; exit "$PULL_EXIT" ;;',
      '  *"images check"*) printf "%s\\n" "$CHECK_OUT" ;;',
      'esac',
    ].join('\n'),
  );
  chmodSync(join(bin, 'ctr'), 0o755);
  const log = join(bin, 'calls.log');
  const started = Date.now();
  const run = spawnSync('sh', ['-c', pullCommand(REF, { tryTimeoutSec: 1, pauseSec: 0 })], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      LOG: log,
      PULL_EXIT: '0',
      PULL_SAYS: 'done',
      CHECK_OUT: '',
      ...env,
    },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { code: run.status, stderr: run.stderr, calls, ms: Date.now() - started };
}

describe('pullCommand', () => {
  it('a pull that succeeds is tried once', () => {
    const { code, calls } = runWithFakeCtr({});
    expect(code).toBe(0);
    expect(calls).toEqual([`pulls: -n k8s.io images pull --hosts-dir /etc/containerd/certs.d ${REF}`]);
  });

  it('a pull that hangs with the image complete ends after its time limit, as pulled', () => {
    const { code, calls, ms } = runWithFakeCtr({
      HANG: '1',
      CHECK_OUT: `${REF}  application/vnd.oci.image.manifest.v1+json sha256:7b85  complete (4/4) 16.2 MiB/16.2 MiB true`,
    });
    expect(code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(ms).toBeLessThan(5000);
  });

  it('a pull that fails and leaves the image incomplete fails after 3 tries, with what ctr said', () => {
    const { code, calls, stderr } = runWithFakeCtr({
      PULL_EXIT: '1',
      PULL_SAYS: 'failed to resolve reference',
      CHECK_OUT: `${REF}  application/vnd.oci.image.manifest.v1+json sha256:7b85  incomplete (1/4) 1 MiB/16.2 MiB false`,
    });
    expect(code).toBe(1);
    expect(calls).toHaveLength(3);
    expect(stderr).toContain('ctr: failed to resolve reference');
  });
});
