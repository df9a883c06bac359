// Each VM writes to its own scratch disk: a qcow2 over one shared, empty ext4 template, so
// creating it is instant and the template (like every layer) is never written.
import { join } from 'node:path';
import { ensure } from '../artifacts/cache.js';
import { run } from '../util/exec.js';

export const SCRATCH_SIZE = '16G'; // sparse: costs only what the guest writes

export async function ensureScratchTemplate(): Promise<string> {
  const entry = await ensure({
    kind: 'scratch',
    key: `ext4-${SCRATCH_SIZE}`,
    description: `empty ${SCRATCH_SIZE} ext4 for per-VM scratch disks`,
    inputs: { size: SCRATCH_SIZE },
    build: async (dir) => {
      await run(
        [
          'mke2fs',
          '-q',
          '-F',
          '-t',
          'ext4',
          '-E',
          'root_owner=0:0',
          '-L',
          'scratch',
          join(dir, 'scratch.ext4'),
          SCRATCH_SIZE,
        ],
        {
          hint: 'install e2fsprogs (apt-get install e2fsprogs)',
        },
      );
    },
  });
  return join(entry.dir, 'scratch.ext4');
}

export async function createScratchDisk(template: string, output: string): Promise<void> {
  await run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', template, output], {
    hint: 'install qemu-utils (apt-get install qemu-utils)',
  });
}
