import { describe, expect, it } from 'vitest';
import { KubeWaitTimeout, manifestObjects, resourcePath } from '../../lab/cluster/kube-client.js';
import { execPath, exitCodeOf } from '../../lab/cluster/kube-exec.js';
import {
  isPodReady,
  KubeObject,
  NAD,
  NAMESPACE,
  NODE,
  Node,
  POD,
  Pod,
} from '../../lab/cluster/kube-types.js';
import { event, fakeKube, pod, podList } from './kube-fake.js';

describe('resourcePath', () => {
  const pods = { name: 'pods', kind: 'Pod', namespaced: true };
  it('puts core resources under /api and others under /apis, with the namespace when namespaced', () => {
    expect(resourcePath('v1', pods, 'default', 'p1')).toBe('/api/v1/namespaces/default/pods/p1');
    expect(resourcePath('v1', { name: 'nodes', kind: 'Node', namespaced: false }, 'default')).toBe(
      '/api/v1/nodes',
    );
    expect(
      resourcePath(
        'k8s.cni.cncf.io/v1',
        { name: 'network-attachment-definitions', kind: NAD.kind, namespaced: true },
        'x',
      ),
    ).toBe('/apis/k8s.cni.cncf.io/v1/namespaces/x/network-attachment-definitions');
  });
});

describe('manifestObjects', () => {
  it('reads several YAML documents and unfolds a List', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}}]}\n---\n`;
    expect(manifestObjects(text).map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });
  it('names the document and the field that is wrong', () => {
    expect(() => manifestObjects('apiVersion: v1\nkind: Pod\nmetadata: {}\n')).toThrow(
      /manifest document 1: metadata\.name/,
    );
  });
});

describe('exec', () => {
  it('sends each word as its own command parameter, in order', () => {
    const path = execPath({ namespace: 'default', pod: 'p', command: ['sh', '-c', 'echo "$1"; x=1', 'a b'] });
    expect(new URLSearchParams(path.split('?')[1]).getAll('command')).toEqual([
      'sh',
      '-c',
      'echo "$1"; x=1',
      'a b',
    ]);
    expect(path.startsWith('/api/v1/namespaces/default/pods/p/exec?')).toBe(true);
  });
  it('reads the exit code from the final Status, and a command that could not run is an error', () => {
    expect(exitCodeOf('{"metadata":{},"status":"Success"}', 'x')).toBe(0);
    const failed = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [false], exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    expect(exitCodeOf(JSON.stringify(failed), 'x')).toBe(3);
    expect(() =>
      exitCodeOf(JSON.stringify({ status: 'Failure', message: 'container not found ("nope")' }), 'exec in p'),
    ).toThrow(/exec in p: container not found/);
  });
});

describe('KubeClient', () => {
  it('gets a typed object and answers undefined for one that does not exist', async () => {
    const { client } = fakeKube((req) =>
      req.path === '/api/v1/nodes/vm-001'
        ? { metadata: { name: 'vm-001' }, spec: { podCIDRs: ['10.0.0.0/24'] } }
        : undefined,
    );
    expect((await client.get(Node, NODE, 'vm-001'))?.spec.podCIDRs).toEqual(['10.0.0.0/24']);
    expect(await client.get(Node, NODE, 'vm-009')).toBeUndefined();
  });

  it('rejects an answer that lacks a field lab relies on, naming it', async () => {
    const { client } = fakeKube(() => ({ metadata: {}, spec: {} }));
    await expect(client.get(Pod, POD, 'p')).rejects.toThrow(/metadata\.name/);
  });

  it('applies server-side, as field manager lab', async () => {
    const { client, requests } = fakeKube((req) => req.body);
    await client.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
    expect(requests[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/pods/p?fieldManager=lab&force=true',
      contentType: 'application/apply-patch+yaml',
    });
  });

  it('waits by watching: one list, one watch, done at the event that makes it true', async () => {
    const { client, requests, watches } = fakeKube(
      () => podList(pod('a', true), pod('b', false)),
      [
        [
          event('MODIFIED', pod('a', true)),
          event('MODIFIED', pod('b', true)),
          event('MODIFIED', pod('b', false)),
        ],
      ],
    );
    const pods = await client.waitFor(Pod, POD, { namespace: 'default' }, (ps) => ps.every(isPodReady), {
      what: 'ready',
      timeoutMs: 10_000,
    });
    expect(pods.map((p) => [p.metadata.name, isPodReady(p)])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(requests).toHaveLength(1);
    expect(watches).toHaveLength(1);
    expect(watches[0]).toMatch(
      /^\/api\/v1\/namespaces\/default\/pods\?watch=1&resourceVersion=42&timeoutSeconds=\d+$/,
    );
  });

  it('follows deletions and lists again after a watch error', async () => {
    const { client, requests } = fakeKube(
      () => podList(pod('a', true)),
      [[event('ERROR', { code: 410 })], [event('DELETED', pod('a', true))]],
    );
    const pods = await client.waitFor(Pod, POD, {}, (ps) => ps.length === 0, {
      what: 'gone',
      timeoutMs: 10_000,
    });
    expect(pods).toEqual([]);
    expect(requests).toHaveLength(2);
  });

  it('times out saying what it waited for and what it last saw', async () => {
    const { client } = fakeKube(() => podList(pod('a', false)));
    await expect(
      client.waitFor(Pod, POD, {}, (ps) => ps.every(isPodReady), {
        what: 'pod a Ready',
        timeoutMs: 50,
        describe: (ps) => ps.map((p) => `${p.metadata.name} ${p.status?.phase}`).join(),
      }),
    ).rejects.toThrow(new KubeWaitTimeout('pod a Ready', 50, 'a Pending'));
  });

  it('counts its calls (discovery included)', async () => {
    const { client } = fakeKube(() => podList());
    await client.list(Pod, POD);
    expect(await client.calls()).toBe(2);
  });
});

describe('list', () => {
  it("gives each item the list's apiVersion and kind, which the API server leaves out of built-in types", async () => {
    const { client } = fakeKube(() => podList({ metadata: { name: 'lab-x' } }));
    expect(await client.list(KubeObject, NAMESPACE)).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-x' } },
    ]);
  });
});
