// The repository tracks no symbolic links: a checkout rebuilt from patches or archives can turn
// one into a plain file holding its target's name, and an overlay's root/ tree then ships that
// file (kube-proxy once found no iptables on a fresh machine this way). Overlays declare their
// links in overlay.ts (`links`) instead.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

describe('the repository', () => {
  it('tracks no symbolic links', () => {
    const staged = spawnSync('git', ['ls-files', '-s'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(staged.status).toBe(0);
    const links = staged.stdout
      .split('\n')
      .filter((line) => line.startsWith('120000 '))
      .map((line) => line.split('\t')[1]);
    expect(links).toEqual([]);
  });
});
