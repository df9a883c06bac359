// Copies what explains a failure (each VM's serial console and guest events) out of the lab
// directory, which teardown removes.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { vmPaths } from '../vm/qemu-args.js';
import type { LabState } from './state.js';

export async function saveEvidence(state: LabState, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const vm of state.vms) {
    const paths = vmPaths(vm.dir);
    await copyFile(paths.consoleLog, join(dir, `${vm.name}.console.log`)).catch(() => undefined);
    await copyFile(paths.events, join(dir, `${vm.name}.events.log`)).catch(() => undefined);
  }
}
