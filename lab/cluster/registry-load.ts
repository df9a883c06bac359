// Puts images into a running lab's registry (overlay private-reg, on the control-plane node):
// their blobs and tags are written as registry storage and unpacked over the registry's own,
// which serves them at once (content-addressed; a tag that existed now names the new image).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sshTarget } from '../lifecycle/access.js';
import type { LabState } from '../lifecycle/state.js';
import { LabError, UsageError } from '../util/errors.js';
import { sshExec } from '../vm/ssh.js';
import { controlPlaneNode } from './certs.js';
import { REGISTRY_STORAGE } from './lab-images.js';
import { type BuiltImage, writeRegistryStore } from './oci.js';

export async function loadIntoRegistry(state: LabState, images: BuiltImage[]): Promise<void> {
  if (!state.overlays.includes('private-reg'))
    throw new UsageError(
      `lab "${state.name}" has no registry`,
      'overlay private-reg has one, e.g. lab start multus',
    );
  const store = await mkdtemp(join(tmpdir(), 'lab-image-store-'));
  try {
    await writeRegistryStore(store, images);
    const tar = await execa('tar', ['-C', store, '-cf', '-', 'docker'], { encoding: 'buffer' });
    const registryVm = controlPlaneNode(state.plan).name;
    const result = await sshExec(await sshTarget(state, registryVm), `tar -x -C ${REGISTRY_STORAGE}`, {
      input: Buffer.from(tar.stdout),
      timeoutMs: 600_000,
    });
    if (result.code !== 0)
      throw new LabError(`copying the images to ${registryVm} failed: ${result.stderr.trim()}`);
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}
