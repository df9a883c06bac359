// Go programs built on the host into the cache: our own guest code, and (for later issues)
// modules from the Go module proxy. Static binaries, keyed by source + toolchain.

import { readdirSync, readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../util/exec.js';
import { inputKey, sha256 } from '../../util/hash.js';
import type { ArtifactSource } from '../artifact.js';
import { type CacheEntry, ensure } from '../cache.js';
import { GoBuildProgress, PROGRESS_MS } from './go-progress.js';

export const GO_HINT = 'install Go (apt-get install golang-go, or https://go.dev/dl) and put it on PATH';

export async function goVersion(): Promise<string> {
  return run(['go', 'env', 'GOVERSION'], { what: 'go env GOVERSION', hint: GO_HINT });
}

/** Synchronous, so an artifact's version can be computed when its manifest loads. */
function sourceDigest(dir: string): string {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.go') || n === 'go.mod' || n === 'go.sum')
    .sort();
  return sha256(names.map((n) => `${n}:${sha256(readFileSync(join(dir, n)))}`).join('\n'));
}

export const staticBuildEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-trimpath' };

/** Builds the Go main package in `sourceDir` (ours, in this repository). */
export async function buildLocalGo(sourceDir: string, binary: string): Promise<CacheEntry> {
  const inputs = { source: sourceDigest(sourceDir), go: await goVersion(), binary };
  return ensure({
    kind: 'go-local',
    key: `${binary}-${inputKey(inputs)}`,
    description: `${binary} built from ${sourceDir}`,
    inputs,
    build: async (dir) => {
      await run(['go', 'build', '-ldflags=-s -w', '-o', join(dir, binary), '.'], {
        cwd: sourceDir,
        env: staticBuildEnv,
        what: `go build of ${binary}`,
        hint: GO_HINT,
        timeoutMs: 20 * 60_000,
      });
    },
  });
}

/** An artifact source: a Go main package of ours (in this repository), built here. */
export function localGoSource(sourceDir: string, binary: string): ArtifactSource {
  return {
    kind: 'build',
    version: sourceDigest(sourceDir).slice(0, 16),
    from: `${sourceDir}, go build here`,
    fill: async (dir) => {
      const built = await buildLocalGo(sourceDir, binary);
      await copyFile(join(built.dir, binary), join(dir, binary));
    },
  };
}

/**
 * An artifact source: a Go main package built from the Go module proxy, inside a build module
 * of ours whose committed go.mod/go.sum pin every dependency (-mod=readonly: nothing floats).
 */
export function goModuleSource(spec: {
  version: string;
  /** Our build module (go.mod requiring the upstream module, go.sum). */
  buildDir: string;
  /** Import paths of the main packages; each binary is named after the last path element. */
  packages: string[];
  /** -X assignments that stamp the version the way upstream's release build does. */
  stamps?: Record<string, string>;
  /** A cold build can be long (Kubernetes: see its overlay's README); default 30 min. */
  timeoutMin?: number;
  /** Build the tests of the one package instead (`go test -c`), as a binary of this name. */
  testBinary?: string;
  /**
   * Compile cgo too (flannel's udp backend is C, and its main imports every backend), linked
   * statically as upstream's release is; Go's own resolver and user lookup, not glibc's.
   */
  cgo?: boolean;
}): ArtifactSource {
  const ldflags = [
    '-s',
    '-w',
    ...Object.entries(spec.stamps ?? {}).map(([k, v]) => `-X ${k}=${v}`),
    ...(spec.cgo ? ['-extldflags=-static'] : []),
  ];
  const tags = spec.cgo ? ['-tags=netgo,osusergo'] : [];
  const what = spec.packages.length === 1 ? spec.packages[0] : `${spec.packages.length} commands`;
  return {
    kind: 'go',
    version: spec.version,
    // A go.sum or a flag that changes must not reuse the binary built before it.
    pin: buildModulePin(spec.buildDir, [
      ...spec.packages,
      ...ldflags,
      ...tags,
      ...(spec.testBinary ? ['test'] : []),
    ]),
    from: `${spec.packages.join(' ')} @${spec.version} via the Go module proxy`,
    fill: async (dir, progress) => {
      // With several packages, -o names a directory (the trailing slash says so).
      const build = spec.testBinary
        ? ['test', '-c', '-o', join(dir, spec.testBinary)]
        : ['build', '-o', `${dir}/`];
      const title = `go build of ${what} @${spec.version}`;
      await goBuildWithProgress({
        argv: [
          'go',
          ...build,
          '-v',
          '-mod=readonly',
          ...tags,
          `-ldflags=${ldflags.join(' ')}`,
          ...spec.packages,
        ],
        cwd: spec.buildDir,
        env: spec.cgo ? { ...staticBuildEnv, CGO_ENABLED: '1' } : staticBuildEnv,
        title,
        // go build -v names each package it compiles; go test -c names none, so no count then.
        total: spec.testBinary ? undefined : packageCount(spec.buildDir, spec.packages),
        hint: `${GO_HINT}; the Go module proxy (GOPROXY) must be reachable once, the module cache serves later builds`,
        timeoutMs: (spec.timeoutMin ?? 30) * 60_000,
        progress,
      });
    },
  };
}

/** A `go build -v` (or `go test -c`) with a progress line every PROGRESS_MS. */
export async function goBuildWithProgress(build: {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  title: string;
  /** Packages the build needs, when known (see packageCount; it may take a while on a cold module cache). */
  total: Promise<number | undefined> | undefined;
  hint: string;
  timeoutMs: number;
  progress: (message: string) => void;
}): Promise<void> {
  const turn = goBuilds.then(async () => {
    const watch = new GoBuildProgress(build.title, undefined, Date.now());
    const timer = setInterval(() => build.progress(`  ${watch.line()}`), PROGRESS_MS);
    try {
      watch.total = await build.total;
      await run(build.argv, {
        cwd: build.cwd,
        env: build.env,
        what: build.title,
        hint: build.hint,
        timeoutMs: build.timeoutMs,
        onStderrLine: (line) => watch.onLine(line),
      });
    } finally {
      clearInterval(timer);
    }
  });
  goBuilds = turn.catch(() => undefined);
  return turn;
}

// One go build at a time: go already keeps every core busy, and two builds side by side compile
// the packages they share twice (kube-proxy's and the control plane's: most of Kubernetes), where
// one after the other the second takes them from Go's build cache.
let goBuilds: Promise<unknown> = Promise.resolve();

/** How many packages the build needs (its upper bound for progress), or undefined if go list fails. */
export async function packageCount(cwd: string, packages: string[], flags = ['-mod=readonly']) {
  const list = await run(['go', 'list', ...flags, '-deps', ...packages], {
    cwd,
    env: staticBuildEnv,
    timeoutMs: 5 * 60_000,
  }).catch(() => undefined);
  return list?.split('\n').filter(Boolean).length;
}

/** A file a Go module ships (data, read from the module cache once a build fetched the module). */
export function goModuleFile(module: string, version: string, path: string): string {
  const cache = process.env.GOMODCACHE || join(process.env.GOPATH || join(homedir(), 'go'), 'pkg/mod');
  // The module cache spells upper-case letters as !lower-case.
  const escaped = module.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  return join(cache, `${escaped}@${version}`, path);
}

/** A short digest of a build module's go.mod and go.sum and of what the build is asked for. */
export function buildModulePin(buildDir: string, request: string[]): string {
  const read = (file: string) => {
    try {
      return readFileSync(join(buildDir, file), 'utf8');
    } catch {
      return `(no ${file})`;
    }
  };
  const mod = read('go.mod');
  const local = localReplaceDigests(buildDir, mod);
  // Only where there are any: every other build keeps the pin (and the cached binary) it had.
  const extra = Object.keys(local).length > 0 ? { local } : {};
  return inputKey({ mod, sum: read('go.sum'), request, ...extra }).slice(0, 8);
}

/** Digests of the build module's own replaced modules (`=> ./dir`), so editing one rebuilds. */
function localReplaceDigests(buildDir: string, mod: string): Record<string, string> {
  const dirs = [...mod.matchAll(/=>\s*(\.\/[^\s]+)/g)].map((m) => m[1] ?? '');
  return Object.fromEntries(
    dirs.map((dir) => {
      const root = join(buildDir, dir);
      const files = (readdirSync(root, { recursive: true }) as string[])
        .filter((f) => /\.go$|go\.(mod|sum)$/.test(f))
        .sort();
      return [dir, sha256(files.map((f) => `${f}:${sha256(readFileSync(join(root, f)))}`).join('\n'))];
    }),
  );
}
