// A lab's Kubernetes PKI, made fresh at start with the openssl command (Debian's openssl):
// one CA, a certificate per component (who it is = CN, its groups = O), the service-account
// key pair. Nothing of it is ever committed or shared between labs; it goes with the lab.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../util/exec.js';

export interface CertSpec {
  /** File name stem: <name>.crt and <name>.key. */
  name: string;
  /** The identity Kubernetes authenticates (user name). */
  cn: string;
  /** Groups (RBAC subjects), e.g. system:masters, system:nodes. */
  groups?: string[];
  /** clientAuth, serverAuth or both. */
  usage: ('client' | 'server')[];
  dns?: string[];
  ips?: string[];
}

export interface PkiFiles {
  dir: string;
  caCert: string;
  /** name → { cert, key } paths */
  certs: Record<string, { cert: string; key: string }>;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const OPENSSL_HINT = 'openssl is in the Debian package openssl (./setup.sh installs it)';

const openssl = (args: string[], what: string) => run(['openssl', ...args], { what, hint: OPENSSL_HINT });

async function ecKey(path: string): Promise<void> {
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path],
    `making key ${path}`,
  );
  await chmod(path, 0o600);
}

/** The subject in openssl's "/O=a/O=b/CN=x" form; "/" and "\" in values are escaped. */
export function subject(cn: string, groups: string[] = []): string {
  const escaped = (value: string) => value.replace(/[\\/]/g, (c) => `\\${c}`);
  return [...groups.map((g) => `/O=${escaped(g)}`), `/CN=${escaped(cn)}`].join('');
}

/** The v3 extensions of a leaf certificate, as an openssl extension file. */
export function leafExtensions(spec: CertSpec): string {
  const usage = spec.usage.map((u) => (u === 'client' ? 'clientAuth' : 'serverAuth')).join(',');
  const names = [...(spec.dns ?? []).map((d) => `DNS:${d}`), ...(spec.ips ?? []).map((ip) => `IP:${ip}`)];
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
  ].join('\n');
}

/** Writes the CA, every certificate in `specs` and the service-account keys into `dir`. */
export async function createPki(
  dir: string,
  caName: string,
  specs: CertSpec[],
  { days = 365 } = {},
): Promise<PkiFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await ecKey(caKey);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-subj',
      subject(caName),
      '-days',
      String(days + 1),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      '-out',
      caCert,
    ],
    `making the lab CA ${caCert}`,
  );
  const certs: PkiFiles['certs'] = {};
  for (const spec of specs) {
    const key = join(dir, `${spec.name}.key`);
    const cert = join(dir, `${spec.name}.crt`);
    const csr = join(dir, `${spec.name}.csr`);
    const ext = join(dir, `${spec.name}.ext`);
    await ecKey(key);
    await openssl(
      ['req', '-new', '-key', key, '-subj', subject(spec.cn, spec.groups), '-out', csr],
      `CSR for ${spec.name}`,
    );
    await writeFile(ext, `${leafExtensions(spec)}\n`);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        String(days),
        '-extfile',
        ext,
        '-out',
        cert,
      ],
      `signing ${spec.name}`,
    );
    await rm(csr);
    await rm(ext);
    certs[spec.name] = { cert, key };
  }
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await ecKey(serviceAccountKey);
  await openssl(
    ['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub],
    'service-account public key',
  );
  return { dir, caCert, certs, serviceAccountKey, serviceAccountPub };
}
