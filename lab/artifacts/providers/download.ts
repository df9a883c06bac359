// Files from a URL with a pinned sha256, or from a local path; stored by content hash so a
// second run (or an offline one) never downloads again.
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LabError } from '../../util/errors.js';
import { sha256File } from '../../util/hash.js';
import { cacheDir } from '../../util/paths.js';

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
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(tmp));
  await verified(tmp, spec.sha256, `${name} from ${spec.url}`);
  await rename(tmp, target);
  return target;
}

export async function localFile(spec: { path: string; sha256: string }, root = cacheDir()): Promise<string> {
  if (!(await present(spec.path))) throw new LabError(`local file ${spec.path} does not exist`);
  const target = downloadPath(spec.sha256, basename(spec.path), root);
  if (await present(target)) return target;
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = `${target}.part-${process.pid}`;
  await copyFile(spec.path, tmp);
  await verified(tmp, spec.sha256, spec.path);
  await rename(tmp, target);
  return target;
}
