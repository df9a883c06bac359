// What a Kubernetes lab's nodes get before boot: every node its kubelet identity and the CA,
// only the control-plane node the API server's and controllers' secrets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NodeFiles } from '../../lab/overlay/manifest.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';
import { apiServerUrl, prepareCluster } from '../../overlays/k8s/cluster.js';

const plan = planLab(mergeConfig([{ name: 'preptest', nvm: 2 }]));
let dir = '';
let files: NodeFiles = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-k8s-prepare-'));
  files = await prepareCluster({ plan, labDir: dir, kubeUsers: [{ name: 'net', user: 'lab:net' }] });
}, 60_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('prepareCluster', () => {
  it('dials the API server on the control-plane node, net 1', () => {
    expect(apiServerUrl({ plan })).toBe('https://192.168.1.1:6443');
  });

  it('gives the control-plane secrets to vm-001 only', () => {
    const controlOnly = [
      '/etc/kubernetes/control-plane',
      '/etc/kubernetes/pki/apiserver.key',
      '/etc/kubernetes/pki/sa.key',
      '/etc/kubernetes/controller-manager.kubeconfig',
      '/etc/kubernetes/scheduler.kubeconfig',
    ];
    for (const path of controlOnly) {
      expect(files['vm-001']?.[path], path).toBeDefined();
      expect(files['vm-002']?.[path], path).toBeUndefined();
    }
  });

  it('gives each node its own kubelet identity, private files mode 0600', () => {
    for (const node of ['vm-001', 'vm-002']) {
      const kubelet = parse(files[node]?.['/etc/kubernetes/kubelet.kubeconfig']?.content ?? '');
      expect(kubelet['current-context']).toBe(`system:node:${node}@lab-preptest`);
      expect(kubelet.clusters[0].cluster.server).toBe('https://192.168.1.1:6443');
      expect(files[node]?.['/etc/kubernetes/kubelet.kubeconfig']?.mode).toBe(0o600);
      expect(files[node]?.['/etc/kubernetes/pki/kubelet.key']?.mode).toBe(0o600);
      expect(files[node]?.['/etc/kubernetes/pki/ca.crt']?.content).toMatch(/^-----BEGIN CERTIFICATE-----/);
      // kube-proxy on every node, as the user Kubernetes' bootstrap policy binds to node-proxier.
      const proxy = parse(files[node]?.['/etc/kubernetes/kube-proxy.kubeconfig']?.content ?? '');
      expect(proxy['current-context']).toBe('system:kube-proxy@lab-preptest');
      expect(files[node]?.['/etc/kubernetes/kube-proxy.kubeconfig']?.mode).toBe(0o600);
    }
    expect(files['vm-001']?.['/etc/kubernetes/pki/kubelet.crt']?.content).not.toBe(
      files['vm-002']?.['/etc/kubernetes/pki/kubelet.crt']?.content,
    );
  });

  it("gives every node each overlay's user as a kubeconfig and a key pair, and names no overlay itself", () => {
    for (const node of ['vm-001', 'vm-002']) {
      const net = parse(files[node]?.['/etc/kubernetes/net.kubeconfig']?.content ?? '');
      expect(net['current-context']).toBe('lab:net@lab-preptest');
      expect(files[node]?.['/etc/kubernetes/pki/net.key']?.mode).toBe(0o600);
      expect(files[node]?.['/etc/kubernetes/pki/net.crt']?.content).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const paths = Object.keys(files[node] ?? {}).join(' ');
      expect(paths).not.toMatch(/xcluster|multus/);
    }
    expect(files['vm-001']?.['/etc/kubernetes/pki/kubelet.crt']?.content).not.toBe(
      files['vm-002']?.['/etc/kubernetes/pki/kubelet.crt']?.content,
    );
  });
});
