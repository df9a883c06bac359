// Multi-source artifacts: cache first, then sources in order; errors name every way.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ArtifactSource, type ArtifactSpec, ensureArtifact } from '../../lab/artifacts/artifact.js';
import { LabError } from '../../lab/util/errors.js';
import { testTempDir } from '../support/temp-dir.js';

let cache = '';
const saved = { ...process.env };

beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'lab-artifact-'));
  process.env.LAB_CACHE = cache;
  delete process.env.LAB_OFFLINE;
  delete process.env.LAB_SOURCE_TOOL;
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(cache, { recursive: true, force: true });
});

/** A source that writes `tool` (or fails with `fails`), counting its fills. */
function source(
  kind: ArtifactSource['kind'],
  opts: { fails?: string; unusable?: string; writes?: string } = {},
) {
  const calls = { fills: 0 };
  const src: ArtifactSource = {
    kind,
    version: `${kind}-1`,
    from: `the ${kind} place`,
    unusable: opts.unusable,
    fill: async (dir) => {
      calls.fills++;
      if (opts.fails) throw new Error(opts.fails);
      await writeFile(join(dir, opts.writes ?? 'tool'), kind);
    },
  };
  return { src, calls };
}

const spec = (...sources: ArtifactSource[]): ArtifactSpec => ({
  name: 'tool',
  description: 'a test tool',
  files: ['tool'],
  sources,
});

async function failure(promise: Promise<unknown>): Promise<LabError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}

describe('ensureArtifact', () => {
  it('fills from the first source once, then answers from the cache', async () => {
    const release = source('release');
    const go = source('go');
    const first = await ensureArtifact(spec(release.src, go.src));
    expect(first).toMatchObject({
      source: 'release',
      version: 'release-1',
      id: 'tool-release-release-1',
      built: true,
    });
    const again = await ensureArtifact(spec(release.src, go.src));
    expect(again.built).toBe(false);
    expect(release.calls.fills).toBe(1);
    expect(go.calls.fills).toBe(0);
  });

  it('skips an unusable source and falls through a failing one', async () => {
    const release = source('release', { unusable: 'no sha256 pinned' });
    const debian = source('debian', { fails: 'mirror unreachable' });
    const go = source('go');
    const got = await ensureArtifact(spec(release.src, debian.src, go.src));
    expect(got.source).toBe('go');
    expect(release.calls.fills).toBe(0);
    expect(debian.calls.fills).toBe(1);
  });

  it('uses whatever source is already cached, even a less preferred one, without fetching', async () => {
    const go = source('go');
    await ensureArtifact(spec(go.src));
    const release = source('release');
    const got = await ensureArtifact(spec(release.src, go.src));
    expect(got.source).toBe('go');
    expect(release.calls.fills).toBe(0);
  });

  it('names every way to provide it when no source works', async () => {
    const err = await failure(
      ensureArtifact(
        spec(
          source('release', { unusable: 'no sha256 pinned' }).src,
          source('go', { fails: 'proxy said 403' }).src,
        ),
      ),
    );
    expect(err.message).toMatch(/tool is not in the cache and could not be obtained/);
    expect(err.message).toMatch(/release: no sha256 pinned/);
    expect(err.message).toMatch(/go: proxy said 403/);
    expect(err.hint).toMatch(/release release-1: the release place/);
    expect(err.hint).toMatch(/go go-1: the go place/);
    expect(err.hint).toMatch(/LAB_SOURCE_TOOL=<kind>/);
  });

  it('fetches nothing under LAB_OFFLINE=1', async () => {
    process.env.LAB_OFFLINE = '1';
    const go = source('go');
    const err = await failure(ensureArtifact(spec(go.src)));
    expect(err.message).toMatch(/LAB_OFFLINE=1 forbids fetching the go place/);
    expect(go.calls.fills).toBe(0);
  });

  it('LAB_SOURCE_<NAME> picks one source; an unknown kind is an error listing the kinds', async () => {
    process.env.LAB_SOURCE_TOOL = 'go';
    const release = source('release');
    const go = source('go');
    expect((await ensureArtifact(spec(release.src, go.src))).source).toBe('go');
    expect(release.calls.fills).toBe(0);
    process.env.LAB_SOURCE_TOOL = 'ftp';
    const err = await failure(ensureArtifact(spec(release.src, go.src)));
    expect(err.message).toMatch(/LAB_SOURCE_TOOL=ftp/);
    expect(err.hint).toMatch(/release, go/);
  });

  it('rejects a source that does not give the promised files, and caches nothing', async () => {
    const wrong = source('release', { writes: 'other' });
    const err = await failure(ensureArtifact(spec(wrong.src)));
    expect(err.message).toMatch(/release: release source of tool gave no tool/);
    const right = source('go');
    expect((await ensureArtifact(spec(wrong.src, right.src))).source).toBe('go');
  });
});

describe('buildModulePin', () => {
  it('changes with go.sum, go.mod or the build request, so a changed pin builds anew', async () => {
    const { buildModulePin } = await import('../../lab/artifacts/providers/go.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = testTempDir('lab-pin-');
    writeFileSync(join(dir, 'go.mod'), 'module x\n');
    writeFileSync(join(dir, 'go.sum'), 'a v1 h1:x\n');
    const first = buildModulePin(dir, ['k8s.io/kubernetes/cmd/kubelet']);
    expect(buildModulePin(dir, ['k8s.io/kubernetes/cmd/kubelet'])).toBe(first);
    writeFileSync(join(dir, 'go.sum'), 'a v1 h1:y\n');
    const second = buildModulePin(dir, ['k8s.io/kubernetes/cmd/kubelet']);
    expect(second).not.toBe(first);
    expect(buildModulePin(dir, ['k8s.io/kubernetes/cmd/kubelet', '-X v=2'])).not.toBe(second);
  });

  it('changes with the source of a module the build module replaces by a local directory', async () => {
    const { buildModulePin } = await import('../../lab/artifacts/providers/go.js');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = testTempDir('lab-pin-');
    writeFileSync(join(dir, 'go.mod'), 'module x\nreplace example.com/absent => ./absent\n');
    mkdirSync(join(dir, 'absent/pkg'), { recursive: true });
    writeFileSync(join(dir, 'absent/go.mod'), 'module example.com/absent\n');
    writeFileSync(join(dir, 'absent/pkg/a.go'), 'package pkg\n');
    const first = buildModulePin(dir, ['x']);
    writeFileSync(join(dir, 'absent/pkg/a.go'), 'package pkg // changed\n');
    expect(buildModulePin(dir, ['x'])).not.toBe(first);
  });
});
