// A named artifact (a few files, e.g. the multus binary) that more than one source can give:
// an official release (URL + pinned sha256), a build from the Go module proxy, Debian's
// package. Each source fills its own cache entry keyed by source and version; whatever entry
// is already cached wins, so a second run, or an offline one, never fetches or builds again.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../util/errors.js';
import { type CacheEntry, ensure, lookup } from './cache.js';
import { type CheckoutBuild, checkoutSource } from './providers/checkout.js';

export type SourceKind = 'release' | 'go' | 'debian' | 'build' | 'checkout';

export interface ArtifactSource {
  kind: SourceKind;
  /** The version this source gives (sources may differ: Debian's package vs upstream). */
  version: string;
  /** Where it comes from, for progress and errors. */
  from: string;
  /**
   * What else decides the result besides the version (e.g. a digest of a build module's go.mod,
   * go.sum and flags): part of the cache key, so changing it builds anew.
   */
  pin?: string;
  /** Why this source cannot be used here at all (e.g. no sha256 pinned yet), else undefined. */
  unusable?: string;
  /** Puts the artifact's files (named in ArtifactSpec.files) into `dir`; `progress` for long work. */
  fill: (dir: string, progress: (message: string) => void) => Promise<void>;
}

export interface ArtifactSpec {
  name: string;
  description: string;
  /** File names the entry must hold after a source filled it. */
  files: string[];
  /** In order of preference. */
  sources: ArtifactSource[];
  /** How to build it from a checkout of its upstream module instead (lab start --src). */
  checkout?: CheckoutBuild;
}

export interface ResolvedArtifact {
  name: string;
  dir: string;
  source: SourceKind;
  version: string;
  /** `name-kind-version`: what a layer built from this artifact keys on. */
  id: string;
  built: boolean;
}

const sourceEnv = (name: string) => `LAB_SOURCE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
// A checkout's version is git describe's, which may hold any character a tag does.
const entryKey = (name: string, source: ArtifactSource) =>
  `${name}-${source.kind}-${source.version.replace(/[^A-Za-z0-9._-]/g, '_')}${source.pin ? `-${source.pin}` : ''}`;

/** Module → checkout directory: artifacts that declare that module build from it (lab start --src). */
const checkouts = new Map<string, string>();
const checkoutSources = new Map<string, ArtifactSource>();

/** From now on, every artifact built from one of these modules comes from the given checkout. */
export function buildFromCheckouts(dirs: ReadonlyMap<string, string>): void {
  checkouts.clear();
  checkoutSources.clear();
  for (const [module, dir] of dirs) checkouts.set(module, dir);
}

/** The artifacts this process has taken from a checkout so far, with the version each says it is. */
export function checkoutBuilds(): { artifact: string; dir: string; version: string }[] {
  return [...checkoutSources].map(([id, source]) => {
    const [artifact = '', dir = ''] = id.split('\0');
    return { artifact, dir, version: source.version };
  });
}

/** Whether any --src checkout is in use (a lab built so keeps a snapshot of its own). */
export const usesCheckouts = () => checkouts.size > 0;

/** The checkout an artifact is built from now, if any (see buildFromCheckouts). */
export function checkoutOf(spec: ArtifactSpec): string | undefined {
  return spec.checkout ? checkouts.get(spec.checkout.module) : undefined;
}

function resolved(spec: ArtifactSpec, source: ArtifactSource, entry: CacheEntry): ResolvedArtifact {
  return {
    name: spec.name,
    dir: entry.dir,
    source: source.kind,
    version: source.version,
    id: entryKey(spec.name, source),
    built: entry.built,
  };
}

/** The checkout's source when one is set for the spec's module, else those LAB_SOURCE_<NAME> allows (one kind), else all. */
export function allowedSources(spec: ArtifactSpec, env = process.env): ArtifactSource[] {
  const dir = checkoutOf(spec);
  if (spec.checkout && dir !== undefined) {
    // Digesting the tree once per process: the image and its key ask more than once.
    const id = `${spec.name}\0${dir}`;
    let source = checkoutSources.get(id);
    if (!source) {
      source = checkoutSource(spec.checkout, dir);
      checkoutSources.set(id, source);
    }
    return [source];
  }
  const wanted = env[sourceEnv(spec.name)];
  if (!wanted) return spec.sources;
  const picked = spec.sources.filter((source) => source.kind === wanted);
  if (picked.length === 0) {
    throw new LabError(
      `${sourceEnv(spec.name)}=${wanted}: ${spec.name} has no such source`,
      `its sources: ${spec.sources.map((s) => s.kind).join(', ')}`,
    );
  }
  return picked;
}

/** How to obtain the artifact, one line per source, for errors and `--help` texts. */
export function sourceHelp(spec: ArtifactSpec): string {
  return spec.sources
    .map((s) => `${s.kind} ${s.version}: ${s.from}${s.unusable ? ` (not usable: ${s.unusable})` : ''}`)
    .join('\n');
}

async function checkFiles(spec: ArtifactSpec, dir: string, source: ArtifactSource): Promise<void> {
  for (const file of spec.files) {
    await access(join(dir, file)).catch(() => {
      throw new LabError(`${source.kind} source of ${spec.name} gave no ${file} (${source.from})`);
    });
  }
}

/** The artifact from the cache, else from the first source that works; errors name every way. */
export async function ensureArtifact(
  spec: ArtifactSpec,
  progress: (message: string) => void = () => {},
): Promise<ResolvedArtifact> {
  const sources = allowedSources(spec);
  for (const source of sources) {
    const cached = await lookup('artifacts', entryKey(spec.name, source));
    if (cached) return resolved(spec, source, cached);
  }
  const failures: string[] = [];
  for (const source of sources) {
    if (source.unusable) {
      failures.push(`${source.kind}: ${source.unusable}`);
      continue;
    }
    if (process.env.LAB_OFFLINE === '1' && source.kind !== 'checkout') {
      failures.push(`${source.kind}: LAB_OFFLINE=1 forbids fetching ${source.from}`);
      continue;
    }
    progress(`${spec.name} ${source.version} from ${source.kind} (${source.from})`);
    try {
      const entry = await ensure({
        kind: 'artifacts',
        key: entryKey(spec.name, source),
        description: `${spec.description}: ${source.kind} ${source.version}`,
        inputs: { name: spec.name, source: source.kind, version: source.version, from: source.from },
        build: async (dir) => {
          await source.fill(dir, progress);
          await checkFiles(spec, dir, source);
          await writeFile(join(dir, 'source.txt'), `${source.kind} ${source.version} ${source.from}\n`);
        },
      });
      return resolved(spec, source, entry);
    } catch (err) {
      // A developer's build error is theirs to read whole; the other sources' are one line each.
      if (source.kind === 'checkout') throw err;
      failures.push(`${source.kind}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new LabError(
    `${spec.name} is not in the cache and could not be obtained:\n  ${failures.join('\n  ')}`,
    `ways to provide it:\n${sourceHelp(spec)}\n(choose one with ${sourceEnv(spec.name)}=<kind>)`,
  );
}
