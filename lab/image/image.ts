// Everything a VM boots from, for one set of overlays: kernel, initramfs and the layer
// stack (rootfs, modules, overlays bottom to top). Each piece is cached on its own, so a
// no-op rebuild only checks keys.
import { STAGE1_MODULES } from '../../images/base.js';
import { ensureOverlayLayer, type Layer } from '../overlay/layer.js';
import type { Overlay } from '../overlay/registry.js';
import { ensureInitramfs } from './initramfs.js';
import { ensureKernel, ensureModules, type Kernel } from './kernel.js';
import { ensureRootfs } from './rootfs.js';

export interface BootImage {
  kernel: Kernel;
  initramfs: string;
  initramfsKey: string;
  /** Bottom first; the guest stacks them in this order (lab0, lab1, …). */
  layers: Layer[];
}

export type Progress = (message: string) => void;

export async function ensureImage(overlays: Overlay[], progress: Progress = () => {}): Promise<BootImage> {
  progress('kernel');
  const kernel = await ensureKernel();
  progress('initramfs');
  const initramfs = await ensureInitramfs(kernel);
  progress('root filesystem');
  const rootfs = await ensureRootfs(
    kernel,
    overlays.flatMap((o) => o.manifest.packages),
  );
  progress('kernel modules');
  const modules = await ensureModules(kernel, [
    ...STAGE1_MODULES,
    ...overlays.flatMap((o) => o.manifest.modules),
  ]);
  const layers: Layer[] = [
    { name: 'rootfs', path: rootfs.layer, key: rootfs.key, artifacts: {} },
    { name: 'modules', path: modules.layer, key: modules.root, artifacts: {} },
  ];
  for (const overlay of overlays) {
    progress(`overlay ${overlay.manifest.name}`);
    layers.push(await ensureOverlayLayer(overlay, (message) => progress(`  ${message}`)));
  }
  return { kernel, initramfs: initramfs.path, initramfsKey: initramfs.key, layers };
}
