// Debian packages, fetched and unpacked by mmdebstrap (no root, no maintainer scripts).
// The result is a tar of the packages and their dependencies, cached by suite + package set.
import { join } from 'node:path';
import { run } from '../../util/exec.js';
import { inputKey } from '../../util/hash.js';
import type { ArtifactSource } from '../artifact.js';
import { type CacheEntry, ensure } from '../cache.js';
import { extractMembers } from './download.js';

export const DEFAULT_SUITE = 'trixie';

export function debianMirror(env = process.env): string {
  return env.LAB_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
}

export interface DebianRequest {
  packages: string[];
  suite?: string;
  /** What the packages are for, shown in progress and errors. */
  purpose: string;
}

/** Returns a cache entry whose `rootfs.tar` holds the extracted packages. */
export async function debianPackages(request: DebianRequest): Promise<CacheEntry> {
  const suite = request.suite ?? DEFAULT_SUITE;
  const packages = [...new Set(request.packages)].sort();
  const mirror = debianMirror();
  const inputs = { suite, packages, mirror, variant: 'extract' };
  return ensure({
    kind: 'debian',
    key: `${suite}-${inputKey(inputs)}`,
    description: `${request.purpose}: Debian ${suite} packages ${packages.join(' ')}`,
    inputs,
    build: async (dir) => {
      await run(
        [
          'mmdebstrap',
          '--quiet',
          '--variant=extract',
          `--include=${packages.join(',')}`,
          suite,
          join(dir, 'rootfs.tar'),
          mirror,
        ],
        {
          what: `fetching Debian ${suite} packages for ${request.purpose}`,
          hint: `mmdebstrap needs ${mirror} (set LAB_DEBIAN_MIRROR for another mirror); once fetched, the result is cached and works offline`,
          timeoutMs: 15 * 60_000,
        },
      );
    },
  });
}

/** An artifact source: files out of Debian packages (e.g. /usr/lib/cni/* of containernetworking-plugins). */
export function debianSource(spec: {
  packages: string[];
  suite?: string;
  /** File name in the artifact → path inside the packages (no leading slash). */
  members: Record<string, string>;
}): ArtifactSource {
  const suite = spec.suite ?? DEFAULT_SUITE;
  return {
    kind: 'debian',
    version: suite,
    from: `Debian ${suite} ${spec.packages.join(' ')}`,
    fill: async (dir) => {
      const entry = await debianPackages({
        packages: spec.packages,
        suite,
        purpose: spec.packages.join(' '),
      });
      await extractMembers(join(entry.dir, 'rootfs.tar'), spec.members, dir);
    },
  };
}
