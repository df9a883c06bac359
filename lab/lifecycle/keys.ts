// SSH keys of a lab: one client key (the lab's user) and one host key per VM, generated at
// start and removed with the lab. Nothing secret is ever committed or shared between labs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateHostKey, generateLabKeys } from '../vm/ssh.js';

export interface LabKeys {
  clientPrivate: string;
  clientPublic: string;
  /** Per VM: the dropbear-format private key (base64) and the OpenSSH public line. */
  hosts: Record<string, { dropbear: string; public: string }>;
}

const keyFile = (labDir: string) => join(labDir, 'ssh', 'keys.json');

export async function createLabKeys(labDir: string, lab: string, vms: string[]): Promise<LabKeys> {
  const client = generateLabKeys(`lab-${lab}`);
  const hosts = Object.fromEntries(
    vms.map((vm) => {
      const key = generateHostKey(`${vm}.${lab}`);
      return [vm, { dropbear: key.dropbearPrivate.toString('base64'), public: key.publicKey }];
    }),
  );
  const keys: LabKeys = { clientPrivate: client.privateKey, clientPublic: client.publicKey, hosts };
  await mkdir(join(labDir, 'ssh'), { recursive: true, mode: 0o700 });
  await writeFile(keyFile(labDir), JSON.stringify(keys), { mode: 0o600 });
  // Also as a plain file, so `ssh -i` works for people who prefer OpenSSH.
  await writeFile(join(labDir, 'ssh', 'id_ed25519'), keys.clientPrivate, { mode: 0o600 });
  return keys;
}

export async function readLabKeys(labDir: string): Promise<LabKeys> {
  return JSON.parse(await readFile(keyFile(labDir), 'utf8')) as LabKeys;
}
