// Files from a URL with a pinned sha256, or from a local path; stored by content hash so a
// second run (or an offline one) never downloads again.
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LabError } from '../../util/errors.js';
import { run } from '../../util/exec.js';
import { sha256File } from '../../util/hash.js';
import { cacheDir } from '../../util/paths.js';
import type { ArtifactSource } from '../artifact.js';

export function downloadPath(sha256: string, name: string, root = cacheDir()): string {
  return join(root, 'downloads', sha256, name);
}

async function present(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function verified(tmp: string, expected: string, what: string): Promise<void> {
  const actual = await sha256File(tmp);
  if (actual !== expected) {
    await rm(tmp, { force: true });
    throw new LabError(
      `checksum mismatch for ${what}: expected sha256 ${expected}, got ${actual}`,
      'the file changed upstream or the pin is wrong; check the pinned sha256 in the manifest',
    );
  }
}

export async function fetchUrl(
  spec: { url: string; sha256: string; name?: string },
  root = cacheDir(),
): Promise<string> {
  const name = spec.name ?? basename(new URL(spec.url).pathname);
  const target = downloadPath(spec.sha256, name, root);
  if (await present(target)) return target;
  if (process.env.LAB_OFFLINE === '1') {
    throw new LabError(`${name} is not in the cache and LAB_OFFLINE=1 forbids downloading ${spec.url}`);
  }
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = `${target}.part-${process.pid}`;
  let response: Response;
  try {
    response = await fetch(spec.url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
  } catch (err) {
    throw new LabError(`cannot download ${spec.url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  if (!response.ok || !response.body)
    throw new LabError(`cannot download ${spec.url}: HTTP ${response.status}`);
  try {
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(tmp));
    await verified(tmp, spec.sha256, `${name} from ${spec.url}`);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }); // a broken or wrong download leaves no .part behind
    throw err;
  }
  return target;
}

export async function localFile(spec: { path: string; sha256: string }, root = cacheDir()): Promise<string> {
  if (!(await present(spec.path))) throw new LabError(`local file ${spec.path} does not exist`);
  const target = downloadPath(spec.sha256, basename(spec.path), root);
  if (await present(target)) return target;
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = `${target}.part-${process.pid}`;
  try {
    await copyFile(spec.path, tmp);
    await verified(tmp, spec.sha256, spec.path);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return target;
}

/**
 * Takes named files out of a tar archive (any compression tar knows) into `dir`. The whole
 * archive is unpacked first, so "bridge" and "./bridge" in an archive both match.
 */
export async function extractMembers(
  archive: string,
  members: Record<string, string>,
  dir: string,
): Promise<void> {
  const scratch = join(dir, '.extract');
  await mkdir(scratch, { recursive: true });
  await run(['tar', '-xf', archive, '-C', scratch], { what: `unpacking ${basename(archive)}` });
  for (const [name, member] of Object.entries(members)) {
    await rename(join(scratch, member), join(dir, name)).catch(() => {
      throw new LabError(`${basename(archive)} has no ${member}`);
    });
  }
  await rm(scratch, { recursive: true, force: true });
}

/** An artifact source: an official release archive with a pinned sha256. */
export function releaseSource(spec: {
  version: string;
  url: string;
  /** Undefined while nobody has pinned it: the source is then reported as unusable. */
  sha256: string | undefined;
  /** File name in the artifact → path inside the archive. */
  members: Record<string, string>;
}): ArtifactSource {
  const { sha256: pinned } = spec;
  return {
    kind: 'release',
    version: spec.version,
    from: spec.url,
    unusable: pinned ? undefined : 'no sha256 pinned for this release yet',
    fill: async (dir) => {
      if (!pinned) throw new LabError(`no sha256 pinned for ${spec.url}`);
      await extractMembers(await fetchUrl({ url: spec.url, sha256: pinned }), spec.members, dir);
    },
  };
}

/** An artifact source: single files of an official release, each with its pinned sha256. */
export function releaseFilesSource(spec: {
  version: string;
  /** File name in the artifact → its URL and sha256 (undefined while nobody has pinned it). */
  files: Record<string, { url: string; sha256: string | undefined }>;
}): ArtifactSource {
  const unpinned = Object.entries(spec.files)
    .filter(([, file]) => !file.sha256)
    .map(([name]) => name);
  const urls = Object.values(spec.files).map((f) => f.url);
  return {
    kind: 'release',
    version: spec.version,
    from: urls.length === 1 ? (urls[0] ?? '') : `${urls.length} files like ${urls[0]}`,
    unusable: unpinned.length > 0 ? `no sha256 pinned for ${unpinned.join(', ')}` : undefined,
    fill: async (dir) => {
      for (const [name, file] of Object.entries(spec.files)) {
        if (!file.sha256) throw new LabError(`no sha256 pinned for ${file.url}`);
        await copyFile(await fetchUrl({ url: file.url, sha256: file.sha256 }), join(dir, name));
        await chmod(join(dir, name), 0o755);
      }
    },
  };
}
