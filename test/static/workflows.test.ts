// The CI workflows under .github/workflows: checked by a real linter for workflow files
// (actionlint, from the Go module proxy at a pinned version; it runs shellcheck on each `run:`
// script too), and the nightly matrix agrees with the shard count its jobs pass to lab.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';
const WORKFLOWS = join(PROJECT_ROOT, '.github', 'workflows');
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(WORKFLOWS, f));

interface Job {
  strategy?: { matrix?: { shard?: number[] } };
  steps?: Array<{ run?: string }>;
}

describe('.github/workflows', () => {
  it('actionlint finds nothing', { timeout: 180_000 }, () => {
    expect(workflowFiles.length).toBeGreaterThan(0);
    const run = spawnSync('go', ['run', ACTIONLINT, '-no-color', ...workflowFiles], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(run.error).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`.replace(/^go: downloading .*\n/gm, '')).toBe('');
    expect(run.status).toBe(0);
  });

  it('the nightly matrix has one job per shard, each passing --shard I/N with N its size', () => {
    const nightly = parse(readFileSync(join(WORKFLOWS, 'nightly.yml'), 'utf8')) as {
      jobs: Record<string, Job>;
    };
    const shardJob = nightly.jobs.shard;
    const shards = shardJob?.strategy?.matrix?.shard ?? [];
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    const commands = (shardJob?.steps ?? []).map((s) => s.run ?? '').filter((r) => r.includes('lab test'));
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain(`--shard \${{ matrix.shard }}/${shards.length}`);
    expect(commands[0]).toContain('--suite nightly');
  });
});
