// Finds overlays, validates their manifests and orders them by dependency.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { usageErrorFromZod } from '../topology/issues.js';
import { UsageError } from '../util/errors.js';
import { OVERLAY_NAME_PATTERN, PROJECT_ROOT } from '../util/paths.js';
import { importProjectModule } from '../util/project-module.js';
import { type OverlayManifest, overlayManifestSchema } from './manifest.js';

export interface Overlay {
  manifest: OverlayManifest;
  dir: string;
}

/** Project overlays, after any directories in LAB_OVERLAY_PATH (colon-separated). */
export function overlaySearchPath(env = process.env): string[] {
  const extra = (env.LAB_OVERLAY_PATH ?? '').split(':').filter(Boolean);
  return [...extra, join(PROJECT_ROOT, 'overlays')];
}

const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

export async function listOverlayNames(): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of overlaySearchPath()) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (await isDir(join(dir, name))) names.add(name);
    }
  }
  return [...names].sort();
}

const loaded = new Map<string, Overlay>();

export async function loadOverlay(name: string): Promise<Overlay> {
  const cached = loaded.get(name);
  if (cached) return cached;
  if (!OVERLAY_NAME_PATTERN.test(name))
    throw new UsageError(
      `overlay "${name}" is not an overlay name (lower-case letters, digits and dashes)`,
      `known overlays: ${(await listOverlayNames()).join(', ')}; your own go in a folder named in LAB_OVERLAY_PATH`,
    );
  for (const dir of overlaySearchPath()) {
    const overlayDir = join(dir, name);
    const module = await importProjectModule(join(overlayDir, 'overlay.ts'));
    if (!module) continue;
    const file = join(overlayDir, 'overlay.ts');
    const result = overlayManifestSchema.safeParse(module.default);
    if (!result.success) throw usageErrorFromZod(result.error, file);
    if (result.data.name !== name)
      throw new UsageError(`${file}: name "${result.data.name}" differs from its folder "${name}"`);
    const overlay = { manifest: result.data, dir: overlayDir };
    loaded.set(name, overlay);
    return overlay;
  }
  const known = await listOverlayNames();
  throw new UsageError(`unknown overlay "${name}"`, `known overlays: ${known.join(', ')}`);
}

/** `names` and everything they depend on, dependencies first, `base` always at the bottom. */
export async function resolveOverlays(names: string[]): Promise<Overlay[]> {
  const ordered: Overlay[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = async (name: string, chain: string[]): Promise<void> => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new UsageError(`overlay dependency cycle: ${[...chain, name].join(' → ')}`);
    }
    state.set(name, 'visiting');
    const overlay = await loadOverlay(name);
    const deps = name === 'base' ? overlay.manifest.deps : ['base', ...overlay.manifest.deps];
    for (const dep of deps) await visit(dep, [...chain, name]);
    state.set(name, 'done');
    ordered.push(overlay);
  };
  for (const name of ['base', ...names]) await visit(name, []);
  return ordered;
}
