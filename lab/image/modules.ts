// Kernel module selection: the modules asked for plus everything they depend on.

/** Module name as modprobe knows it: file basename, no .ko/.ko.xz, dashes as underscores. */
export function moduleName(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replaceAll('-', '_');
}

/** Parses modules.dep: "kernel/a.ko: kernel/b.ko kernel/c.ko" → name → {path, deps}. */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const modules = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const [path, rest] = line.split(':');
    if (!path || rest === undefined) continue;
    modules.set(moduleName(path), { path, deps: rest.trim().split(/\s+/).filter(Boolean) });
  }
  return modules;
}

/**
 * The paths of `wanted` and their transitive dependencies. Names that are built into the
 * kernel (listed in `builtin`) are skipped; a name that is neither is an error naming it.
 */
export function moduleClosure(
  wanted: string[],
  modulesDep: Map<string, { path: string; deps: string[] }>,
  builtin: Set<string>,
): string[] {
  const byPath = new Map([...modulesDep.values()].map((m) => [m.path, m]));
  const paths = new Set<string>();
  const visit = (path: string) => {
    if (paths.has(path)) return;
    paths.add(path);
    for (const dep of byPath.get(path)?.deps ?? []) visit(dep);
  };
  for (const raw of wanted) {
    const name = raw.replaceAll('-', '_');
    const module = modulesDep.get(name);
    if (module) visit(module.path);
    else if (!builtin.has(name)) throw new Error(`kernel module ${raw} is neither a module nor built in`);
  }
  return [...paths].sort();
}

/** modules.builtin lists paths like kernel/fs/ext4/ext4.ko. */
export function parseBuiltin(text: string): Set<string> {
  return new Set(text.split('\n').filter(Boolean).map(moduleName));
}
