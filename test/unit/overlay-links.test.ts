// An overlay's `links` end up as symbolic links in its layer (the iptables alternatives of the
// k8s overlay are made this way: links under root/ did not survive the repository's round trip).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOverlayLayer } from '../../lab/overlay/layer.js';
import { overlayManifestSchema } from '../../lab/overlay/manifest.js';
import { run } from '../../lab/util/exec.js';

let scratch: string;
const savedCache = process.env.LAB_CACHE;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lab-links-'));
  process.env.LAB_CACHE = join(scratch, 'cache');
});
afterAll(async () => {
  if (savedCache === undefined) delete process.env.LAB_CACHE;
  else process.env.LAB_CACHE = savedCache;
  await rm(scratch, { recursive: true, force: true });
});

const manifest = (links: unknown) =>
  overlayManifestSchema.safeParse({ name: 'demo', description: 'demo', links });

describe('overlay links', () => {
  it('takes absolute paths in the VM and refuses relative ones or any ".."', () => {
    expect(manifest({ '/usr/sbin/iptables': 'xtables-nft-multi' }).success).toBe(true);
    for (const bad of ['usr/sbin/iptables', '/usr/../etc/passwd', '/usr/sbin/a b']) {
      const parsed = manifest({ [bad]: 'x' });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['links', bad]);
    }
  });

  it('puts each link into the layer, pointing where the manifest says', async () => {
    const parsed = overlayManifestSchema.parse({
      name: 'demo',
      description: 'demo',
      links: { '/usr/sbin/iptables': 'xtables-nft-multi', '/opt/deep/dir/tool': '/usr/bin/true' },
    });
    const layer = await ensureOverlayLayer({ manifest: parsed, dir: join(scratch, 'no-such-overlay-dir') });
    const listing = await run(['unsquashfs', '-lls', '-d', '', layer.path]);
    expect(listing).toMatch(/^l\S+ .* \/usr\/sbin\/iptables -> xtables-nft-multi$/m);
    expect(listing).toMatch(/^l\S+ .* \/opt\/deep\/dir\/tool -> \/usr\/bin\/true$/m);
  });
});
