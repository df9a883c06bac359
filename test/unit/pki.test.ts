// The lab's Kubernetes PKI: made with the real openssl, then checked with openssl as a TLS
// peer would (chain, identity, usage, names).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterCertSpecs, kubernetesServiceIps } from '../../lab/cluster/certs.js';
import { kubeconfig } from '../../lab/cluster/kubeconfig.js';
import { createPki, leafExtensions, type PkiFiles, subject } from '../../lab/cluster/pki.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';

const plan = planLab(mergeConfig([{ name: 'pkitest', nvm: 2, netsVm: [0, 1, 3] }]));

describe('certificate specs (pure)', () => {
  it('puts the kubernetes Service address first in each service range', () => {
    expect(kubernetesServiceIps()).toEqual(['10.96.0.1', 'fd00:4c41:96::1']);
  });

  it('names kubelets the way the Node authorizer expects, one per node', () => {
    const kubelets = clusterCertSpecs(plan).filter((s) => s.name.startsWith('kubelet-'));
    expect(kubelets.map((s) => [s.cn, s.groups])).toEqual([
      ['system:node:vm-001', ['system:nodes']],
      ['system:node:vm-002', ['system:nodes']],
    ]);
    expect(kubelets[1]?.ips).toEqual([
      '192.168.0.2',
      'fd00:4c41::c0a8:2',
      '192.168.1.2',
      'fd00:4c41::c0a8:102',
    ]);
  });

  it('writes subjects and extensions in openssl syntax, escaping slashes', () => {
    expect(subject('system:node:vm-001', ['system:nodes'])).toBe('/O=system:nodes/CN=system:node:vm-001');
    expect(subject('a/b')).toBe('/CN=a\\/b');
    expect(leafExtensions({ name: 'x', cn: 'x', usage: ['client'] })).not.toContain('subjectAltName');
    expect(
      leafExtensions({ name: 'x', cn: 'x', usage: ['client', 'server'], dns: ['h'], ips: ['10.0.0.1'] }),
    ).toContain('extendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:h,IP:10.0.0.1');
  });
});

describe('createPki (real openssl)', () => {
  let dir = '';
  let pki: PkiFiles;
  const text = async (name: string) =>
    (await execa('openssl', ['x509', '-in', pki.certs[name]?.cert ?? '', '-noout', '-text'])).stdout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-pki-'));
    pki = await createPki(
      join(dir, 'pki'),
      'lab-pkitest-ca',
      clusterCertSpecs(plan, [
        { name: 'xcluster-cni', user: 'lab:xcluster-cni' },
        { name: 'multus', user: 'lab:multus' },
      ]),
    );
  }, 60_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('signs every certificate with the lab CA', async () => {
    for (const [name, files] of Object.entries(pki.certs)) {
      const verify = await execa('openssl', ['verify', '-CAfile', pki.caCert, files.cert], { reject: false });
      expect(verify.stdout, `${name}: ${verify.stderr}`).toMatch(/: OK$/);
    }
    expect(Object.keys(pki.certs).sort()).toEqual(
      [
        'admin',
        'apiserver',
        'apiserver-kubelet-client',
        'controller-manager',
        'kubelet-vm-001',
        'kubelet-vm-002',
        'scheduler',
        'kube-proxy',
        'xcluster-cni',
        'multus',
      ].sort(),
    );
  });

  it('gives the API server every name and address it is reached by', async () => {
    const san = (await text('apiserver')).match(/Subject Alternative Name:\s*\n\s*(.*)/)?.[1] ?? '';
    for (const name of [
      'DNS:kubernetes.default.svc',
      'DNS:vm-001',
      'IP Address:10.96.0.1',
      'IP Address:192.168.1.1',
      'IP Address:127.0.0.1',
    ])
      expect(san).toContain(name);
    expect(san).toMatch(/IP Address:FD00:4C41:96:0:0:0:0:1/i);
    const verify = await execa('openssl', [
      'verify',
      '-purpose',
      'sslserver',
      '-CAfile',
      pki.caCert,
      pki.certs.apiserver?.cert ?? '',
    ]);
    expect(verify.stdout).toMatch(/OK$/);
  });

  it('makes client certificates clients only, with identity and groups in the subject', async () => {
    const admin = await text('admin');
    expect(admin).toMatch(/Subject: O ?= ?system:masters, CN ?= ?lab-admin/);
    expect(admin).toContain('TLS Web Client Authentication');
    expect(admin).not.toContain('TLS Web Server Authentication');
    const kubelet = await text('kubelet-vm-002');
    expect(kubelet).toMatch(/Subject: O ?= ?system:nodes, CN ?= ?system:node:vm-002/);
    expect(kubelet).toContain('TLS Web Client Authentication, TLS Web Server Authentication');
  });

  it('keeps private keys private and leaves no CSR or extension file behind', async () => {
    expect((await stat(pki.certs.admin?.key ?? '')).mode & 0o777).toBe(0o600);
    expect((await stat(pki.serviceAccountKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(pki.serviceAccountPub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const files = (await execa('ls', [pki.dir])).stdout.split('\n');
    expect(files.filter((f) => f.endsWith('.csr') || f.endsWith('.ext'))).toEqual([]);
  });

  it('embeds the CA and the admin identity in a kubeconfig', async () => {
    const read = (file = '') => readFile(file, 'utf8');
    const caPem = await read(pki.caCert);
    const certPem = await read(pki.certs.admin?.cert);
    const keyPem = await read(pki.certs.admin?.key);
    const config = parse(
      kubeconfig({
        cluster: 'lab-pkitest',
        server: 'https://127.0.0.1:6443',
        caPem,
        user: 'lab-admin',
        certPem,
        keyPem,
      }),
    );
    expect(config['current-context']).toBe('lab-admin@lab-pkitest');
    expect(config.clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
    const embedded = Buffer.from(config.users[0].user['client-certificate-data'], 'base64').toString();
    expect(embedded).toBe(certPem);
  });
});
