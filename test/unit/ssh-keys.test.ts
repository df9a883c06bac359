// Lab keys must be well formed for every SSH implementation the guest runs, not only for ssh2:
// dropbear refuses an ed25519 key whose public half is not exactly 32 bytes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { generateHostKey, generateLabKeys } from '../../lab/vm/ssh.js';

/** The raw key bytes inside an OpenSSH public key line ("ssh-ed25519 <base64> comment"). */
function publicKeyBytes(line: string): Buffer {
  const blob = Buffer.from(line.trim().split(/\s+/)[1] ?? '', 'base64');
  const keyAt = 4 + blob.readUInt32BE(0);
  return blob.subarray(keyAt + 4, keyAt + 4 + blob.readUInt32BE(keyAt));
}

describe('generateLabKeys', () => {
  it('gives 32-byte ed25519 public keys every time (ssh2 alone fails about 1 in 256)', () => {
    // 3000 draws without the fix include a short key with probability 1 - (255/256)^3000 > 0.99999.
    const lengths = new Set<number>();
    for (let i = 0; i < 3000; i++) lengths.add(publicKeyBytes(generateLabKeys(`k${i}`).publicKey).length);
    expect([...lengths]).toEqual([32]);
  });

  it('puts the comment on the public key line', () => {
    expect(generateLabKeys('vm-001.demo').publicKey).toMatch(/^ssh-ed25519 \S+ vm-001\.demo$/);
  });
});

describe('generateHostKey', () => {
  it("writes dropbear's format: the public key dropbear derives from it is the pinned line", async () => {
    const have = await execa('sh', ['-c', 'command -v dropbearkey'], { reject: false });
    if (have.exitCode !== 0) return expect.fail('dropbearkey (dropbear-bin) is not installed');
    const dir = await mkdtemp(join(tmpdir(), 'lab-hostkey-'));
    try {
      const key = generateHostKey('vm-001.demo');
      await writeFile(join(dir, 'key'), key.dropbearPrivate, { mode: 0o600 });
      const derived = await execa('dropbearkey', ['-y', '-f', join(dir, 'key')]);
      const line = derived.stdout.split('\n').find((l) => l.startsWith('ssh-ed25519 '));
      expect(line?.split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
      expect(publicKeyBytes(key.publicKey)).toHaveLength(32);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
