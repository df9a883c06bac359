// lab start --src: a checkout's go.mod picks which of the lab's artifacts it replaces, the
// artifact then comes from the checkout alone (keyed by its content), and mistakes name the flag.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedSources, buildFromCheckouts, checkoutBuilds } from '../../lab/artifacts/artifact.js';
import { checkoutDigest, describeCheckout } from '../../lab/artifacts/providers/checkout.js';
import { resolveLab } from '../../lab/lifecycle/resolve.js';
import { checkoutModules, resolveCheckouts } from '../../lab/overlay/checkouts.js';
import { UsageError } from '../../lab/util/errors.js';
import { CNI_PLUGINS_MODULE, cniPlugins, MULTUS_MODULE, multus } from '../../overlays/cni/artifacts.js';
import { multusThick, multusThickImages } from '../../overlays/multus-thick/artifacts.js';
import { testTempDir } from '../support/temp-dir.js';

async function checkout(module: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await testTempDir('lab-checkout-');
  await writeFile(join(dir, 'go.mod'), `module ${module}\n\ngo 1.24\n`);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const overlaysOf = async (multusMode: 'thin' | 'thick') =>
  (await resolveLab([{ overlays: ['multus'], multus: multusMode }])).overlays;

afterEach(() => buildFromCheckouts(new Map()));

describe('resolveCheckouts', () => {
  it("maps each checkout's module to the lab's artifacts built from it, thin and thick", async () => {
    const thin = checkoutModules(await overlaysOf('thin'));
    expect(thin.get(MULTUS_MODULE)).toEqual(['multus']);
    expect(thin.get(CNI_PLUGINS_MODULE)).toEqual(['cni-plugins']);
    // The thick daemon sits inside an image: the image's files count too.
    expect(checkoutModules(await overlaysOf('thick')).get(MULTUS_MODULE)).toContain('multus-thick');

    const dir = await checkout(MULTUS_MODULE);
    expect(resolveCheckouts([dir], await overlaysOf('thin'))).toEqual(new Map([[MULTUS_MODULE, dir]]));
  });

  it('refuses a directory without go.mod, a module the lab does not build, and one module twice', async () => {
    const overlays = await overlaysOf('thin');
    const empty = await testTempDir('lab-checkout-');
    expect(() => resolveCheckouts([empty], overlays)).toThrow(
      expect.objectContaining({
        constructor: UsageError,
        message: `--src ${empty}: no go.mod there`,
        hint: expect.stringContaining(`${MULTUS_MODULE} (multus)`),
      }),
    );
    const other = await checkout('example.com/not/built');
    expect(() => resolveCheckouts([other], overlays)).toThrow(
      `--src ${other}: this lab builds nothing from module example.com/not/built`,
    );
    const [a, b] = [await checkout(MULTUS_MODULE), await checkout(MULTUS_MODULE)];
    expect(() => resolveCheckouts([a, b], overlays)).toThrow(
      `--src ${b}: module ${MULTUS_MODULE} already comes from --src ${a}`,
    );
  });
});

describe('artifacts from a checkout', () => {
  it('come from the checkout alone while it is set, and only those of its module', async () => {
    const dir = await checkout(MULTUS_MODULE, { 'cmd/multus/main.go': 'package main\n' });
    const pinned = allowedSources(multus).map((s) => s.kind);
    buildFromCheckouts(new Map([[MULTUS_MODULE, dir]]));
    const [source, ...rest] = allowedSources(multus);
    expect(rest).toEqual([]);
    expect(source).toMatchObject({ kind: 'checkout', from: `your checkout ${dir}` });
    expect(allowedSources(multusThick)[0]?.kind).toBe('checkout');
    expect(allowedSources(cniPlugins).map((s) => s.kind)).toEqual(['debian', 'release']);
    expect(checkoutBuilds()).toContainEqual({ artifact: 'multus', dir, version: source?.version });
    buildFromCheckouts(new Map());
    expect(allowedSources(multus).map((s) => s.kind)).toEqual(pinned);
  });

  it("changes an image's key when a file of it comes from a checkout", async () => {
    const before = multusThickImages.sources[0]?.version;
    buildFromCheckouts(new Map([[MULTUS_MODULE, await checkout(MULTUS_MODULE)]]));
    expect(multusThickImages.sources[0]?.version).not.toBe(before);
  });

  it('keys on the content: an edit changes the digest, and the version says dirty', async () => {
    const dir = await checkout(MULTUS_MODULE, { 'cmd/multus/main.go': 'package main\n' });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'first');
    const clean = checkoutDigest(dir);
    expect(describeCheckout(dir)).toMatch(/^[0-9a-f]{7,}$/);
    await writeFile(join(dir, 'cmd/multus/main.go'), 'package main\n\nfunc main() {}\n');
    expect(checkoutDigest(dir)).not.toBe(clean);
    expect(describeCheckout(dir)).toMatch(/^[0-9a-f]{7,}-dirty$/);
    // Ignored files (build output) do not count.
    await writeFile(join(dir, '.gitignore'), 'bin/\n');
    const ignored = checkoutDigest(dir);
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin/multus'), 'binary');
    expect(checkoutDigest(dir)).toBe(ignored);
  });

  it('names a tree without git by its content', async () => {
    const dir = await checkout(MULTUS_MODULE);
    expect(describeCheckout(dir)).toBe(`local-${checkoutDigest(dir).slice(0, 12)}`);
  });
});
