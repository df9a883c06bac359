// An artifact built from a developer's Go checkout (lab start --src PATH, lab deploy --src PATH)
// instead of the pinned module: the same main packages, built in the checkout with its own
// go.mod (and vendor/, if it has one). The cache key is the checkout's content, so an unchanged
// tree is built once and every edit builds anew.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import type { ArtifactSource } from '../artifact.js';
import { GO_HINT, goBuildWithProgress, packageCount, staticBuildEnv } from './go.js';

/** How an artifact is built from a checkout of its upstream module (ArtifactSpec.checkout). */
export interface CheckoutBuild {
  /** The module a checkout must be: its go.mod's module line. */
  module: string;
  /** Main packages relative to the checkout, e.g. ./cmd/multus; binaries take their last element. */
  packages: string[];
  /** -X stamps, given the checkout's description (git describe), as upstream's release stamps. */
  stamps?: (version: string) => Record<string, string>;
}

/** The module line of DIR's go.mod, or undefined when there is none. */
export function checkoutModule(dir: string): string | undefined {
  let goMod: string;
  try {
    goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
  } catch {
    return undefined;
  }
  return /^module\s+(\S+)/m.exec(goMod)?.[1];
}

/** DIR as an absolute path, refused unless it is a checkout of `module` (`flag` names the option). */
export function checkCheckout(dir: string, module: string, flag: string): string {
  const absolute = resolve(dir);
  const found = checkoutModule(absolute);
  if (found === undefined)
    throw new UsageError(`${flag} ${dir}: no go.mod there`, `give a checkout of ${module}`);
  if (found !== module)
    throw new UsageError(
      `${flag} ${dir}: its go.mod names module ${found}, not ${module}`,
      `give a checkout of ${module}`,
    );
  return absolute;
}

const git = (dir: string, args: string[]) => {
  const result = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return result.status === 0 ? result.stdout : undefined;
};

/** The checkout's files that a build reads: git's view (tracked and untracked, not ignored), else all but .git. */
function checkoutFiles(dir: string): string[] {
  const listed = git(dir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (listed !== undefined) return listed.split('\0').filter(Boolean).sort();
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => !f.split('/').includes('.git') && statSync(join(dir, f)).isFile())
    .sort();
}

/** A digest of the checkout's content: what decides the build (files deleted but still tracked are skipped). */
export function checkoutDigest(dir: string): string {
  const lines: string[] = [];
  for (const file of checkoutFiles(dir)) {
    try {
      lines.push(`${file}:${sha256(readFileSync(join(dir, file)))}`);
    } catch {
      // listed by git, deleted in the tree: the build does not see it either
    }
  }
  return sha256(lines.join('\n'));
}

/** `git describe --always --dirty --tags`, else "local-" and a short content digest (hashed only then). */
export function describeCheckout(dir: string, digest?: string): string {
  return (
    git(dir, ['describe', '--always', '--dirty', '--tags'])?.trim() ||
    `local-${(digest ?? checkoutDigest(dir)).slice(0, 12)}`
  );
}

/** Builds the checkout's main packages into outDir (binaries named after the package). */
export async function buildCheckout(
  build: CheckoutBuild,
  dir: string,
  version: string,
  outDir: string,
  progress: (message: string) => void,
): Promise<void> {
  const stamps = Object.entries(build.stamps?.(version) ?? {}).map(([k, v]) => `-X ${k}=${v}`);
  const names = build.packages.map((p) => basename(p));
  await goBuildWithProgress({
    // With several packages, -o names a directory (the trailing slash says so).
    argv: ['go', 'build', '-v', `-ldflags=-s -w ${stamps.join(' ')}`, '-o', `${outDir}/`, ...build.packages],
    cwd: dir,
    env: staticBuildEnv,
    title: `go build of ${names.join(', ')} ${version} from ${dir}`,
    total: packageCount(dir, build.packages, []),
    hint: `fix the build in your checkout (go build ${build.packages.join(' ')} there shows the same); ${GO_HINT}`,
    timeoutMs: 30 * 60_000,
    progress,
  });
}

/** An artifact source: the checkout at DIR, keyed by its content. */
export function checkoutSource(build: CheckoutBuild, dir: string): ArtifactSource {
  const digest = checkoutDigest(dir);
  const version = describeCheckout(dir, digest);
  return {
    kind: 'checkout',
    version,
    pin: digest.slice(0, 16),
    from: `your checkout ${dir}`,
    fill: (out, progress) => buildCheckout(build, dir, version, out, progress),
  };
}
