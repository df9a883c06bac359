// Builds an overlay into a cached read-only layer: its root/ tree, its boot units as
// /etc/lab/units/*.json and its module list. The cache key is the content, so editing any
// file under root/ (or the manifest) rebuilds exactly that layer.
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { ensureArtifact } from '../artifacts/artifact.js';
import { ensure } from '../artifacts/cache.js';
import { mksquashfs } from '../image/squashfs.js';
import { run } from '../util/exec.js';
import { inputKey, sha256 } from '../util/hash.js';
import type { Overlay } from './registry.js';

/** Every path under `dir` with its type, mode and content hash (or link target), sorted. */
export async function treeDigest(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const names = (await readdir(current).catch(() => [] as string[])).sort();
    for (const name of names) {
      const path = join(current, name);
      const info = await lstat(path);
      const rel = relative(dir, path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        lines.push(`d ${mode} ${rel}`);
        await walk(path);
      } else if (info.isSymbolicLink()) lines.push(`l ${rel} -> ${await readlink(path)}`);
      else lines.push(`f ${mode} ${rel} ${sha256(await readFile(path))}`);
    }
  };
  await walk(dir);
  return lines;
}

export interface Layer {
  name: string;
  path: string;
  key: string;
  /** The artifacts in the layer: name → cache dir (the host may run them too, e.g. kubectl). */
  artifacts: Record<string, string>;
}

export async function ensureOverlayLayer(
  overlay: Overlay,
  progress: (message: string) => void = () => {},
): Promise<Layer> {
  const { manifest } = overlay;
  const rootDir = join(overlay.dir, 'root');
  const artifacts = await Promise.all(
    manifest.artifacts.map(async (use) => ({ use, artifact: await ensureArtifact(use.artifact, progress) })),
  );
  const inputs = {
    tree: sha256((await treeDigest(rootDir)).join('\n')),
    units: manifest.units,
    modules: manifest.modules,
    links: manifest.links,
    artifacts: artifacts.map(({ use, artifact }) => ({
      id: artifact.id,
      files: use.artifact.files,
      into: use.into,
    })),
    format: 2,
  };
  const key = `${manifest.name}-${inputKey(inputs)}`;
  const entry = await ensure({
    kind: 'layers',
    key,
    description: `overlay ${manifest.name}`,
    inputs,
    build: async (dir) => {
      const tree = join(dir, 'tree');
      await mkdir(join(tree, 'etc/lab/units'), { recursive: true });
      await mkdir(join(tree, 'etc/lab/modules.d'), { recursive: true });
      if ((await lstat(rootDir).catch(() => undefined))?.isDirectory()) {
        await run(['cp', '-a', `${rootDir}/.`, tree], { what: `copying overlays/${manifest.name}/root` });
      }
      for (const { use, artifact } of artifacts) {
        const into = join(tree, use.into);
        await mkdir(into, { recursive: true });
        await run(['cp', '-a', ...use.artifact.files.map((file) => join(artifact.dir, file)), into], {
          what: `installing ${artifact.name} into overlay ${manifest.name}`,
        });
      }
      for (const [path, target] of Object.entries(manifest.links)) {
        await mkdir(dirname(join(tree, path)), { recursive: true });
        await rm(join(tree, path), { force: true });
        await symlink(target, join(tree, path));
      }
      for (const unit of manifest.units) {
        await writeFile(
          join(tree, 'etc/lab/units', `${unit.name}.json`),
          `${JSON.stringify(unit, null, 2)}\n`,
        );
      }
      if (manifest.modules.length > 0) {
        await writeFile(
          join(tree, 'etc/lab/modules.d', `${manifest.name}.conf`),
          `${manifest.modules.join('\n')}\n`,
        );
      }
      await mksquashfs(tree, join(dir, 'layer.sqfs'), { allRoot: true });
      await writeFile(join(dir, 'files.txt'), `${(await treeDigest(tree)).join('\n')}\n`);
      await run(['rm', '-rf', tree]);
    },
  });
  return {
    name: manifest.name,
    path: join(entry.dir, 'layer.sqfs'),
    key,
    artifacts: Object.fromEntries(artifacts.map(({ artifact }) => [artifact.name, artifact.dir])),
  };
}

/** What the layer holds, one line per path, for `lab overlay show`. */
export async function layerContents(overlay: Overlay): Promise<string[]> {
  const layer = await ensureOverlayLayer(overlay);
  const text = await readFile(join(layer.path, '..', 'files.txt'), 'utf8');
  return text.split('\n').filter(Boolean);
}
