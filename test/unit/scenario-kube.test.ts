// The scenarios' Kubernetes helpers (scenarios/support/kube.ts) over a fake API: what they
// send and when they fail. The k8s tier runs them against real clusters.
import { describe, expect, it } from 'vitest';
import type { ScenarioContext } from '../../lab/scenario/define.js';
import {
  applyManifests,
  deletePods,
  idlePod,
  unreachableFrom,
  waitPodsReady,
} from '../../scenarios/support/kube.js';
import { makeOwnNamespace, overlayNads, removeOwnNamespace } from '../../scenarios/support/namespace.js';
import { event, fakeKube, pod, podList } from './kube-fake.js';

function context(kube: ScenarioContext['kube']): ScenarioContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    kube,
    namespace: 'lab-x',
    log: (m: string) => lines.push(m),
    lines,
  } as unknown as ScenarioContext & {
    lines: string[];
  };
}

describe('unreachableFrom', () => {
  it('passes the targets as arguments of one script (nothing pasted into shell text) and returns those that failed', async () => {
    const { client } = fakeKube(() => undefined);
    const seen: string[][] = [];
    client.exec = async (_pod, command) => {
      seen.push([...command]);
      return { code: 0, stdout: 'fd00::2\n', stderr: '' };
    };
    expect(await unreachableFrom(context(client), 'p', ['10.0.0.2', 'fd00::2'])).toEqual(['fd00::2']);
    const [argv] = seen;
    expect(argv?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv?.[2]).toContain('"$a"');
    expect(argv?.slice(4)).toEqual(['10.0.0.2', 'fd00::2']);
  });

  it('fails the step when the exec fails', async () => {
    const { client } = fakeKube(() => undefined);
    client.exec = async () => ({ code: 126, stdout: '', stderr: 'sh: not found' });
    await expect(unreachableFrom(context(client), 'p', ['10.0.0.2'])).rejects.toThrow(
      /pod p: .* exited with code 126/,
    );
  });
});

describe('waitPodsReady', () => {
  it('times out naming each awaited pod and its state, ignoring other pods', async () => {
    const { client } = fakeKube(() => podList(pod('mine', false), pod('theirs', false)));
    await expect(waitPodsReady(context(client), ['mine'], 0.05)).rejects.toThrow(
      /pods mine Ready: not within 0 s \(last seen: mine Pending\)/,
    );
  });
});

describe('deletePods', () => {
  it('deletes each pod of the label and waits until they are gone', async () => {
    let deleted = false;
    const { client, requests } = fakeKube((req) => {
      if (req.method === 'DELETE') {
        deleted = true;
        return {};
      }
      return deleted ? podList() : podList(pod('a', true));
    });
    const ctx = context(client);
    await deletePods(ctx, { label: 'app=x' });
    expect(requests.map((r) => `${r.method ?? 'GET'} ${r.path}`)).toEqual([
      'GET /api/v1/namespaces/lab-x/pods?labelSelector=app%3Dx',
      'DELETE /api/v1/namespaces/lab-x/pods/a',
      'GET /api/v1/namespaces/lab-x/pods?labelSelector=app%3Dx',
    ]);
    expect(ctx.lines[0]).toMatch(/^deleted a: /);
  });
});

describe("the scenario's own namespace", () => {
  const created = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-x' } };
  const ours = { ...created, metadata: { name: 'lab-x', labels: { 'lab.scenario': 'x' } } };
  const sent = (requests: { method?: string; path: string }[]) =>
    requests.map((r) => `${r.method ?? 'GET'} ${r.path.replace(/\?.*/, '')}`);

  it("is made, and the lab's NADs named are copied into it with their own config", async () => {
    const shipped = await overlayNads('multus');
    const { client, requests } = fakeKube((req) => (req.method === 'PATCH' ? req.body : undefined));
    await makeOwnNamespace(context(client), { overlay: 'multus', names: ['ipvlan', 'macvlan-conf'] });
    expect(sent(requests)).toEqual([
      'GET /api/v1/namespaces/lab-x',
      'PATCH /api/v1/namespaces/lab-x',
      'PATCH /apis/k8s.cni.cncf.io/v1/namespaces/lab-x/network-attachment-definitions/ipvlan',
      'PATCH /apis/k8s.cni.cncf.io/v1/namespaces/lab-x/network-attachment-definitions/macvlan-conf',
    ]);
    const copy = requests[2]?.body as { metadata: unknown; spec: unknown };
    expect(copy.metadata).toEqual({ name: 'ipvlan', namespace: 'lab-x' });
    expect(copy.spec).toEqual(shipped.get('ipvlan')?.spec);
    expect(requests[1]?.body).toMatchObject({ metadata: ours.metadata });
  });

  it('names the overlay and what it has when a NAD is not one of its', async () => {
    const { client } = fakeKube((req) => (req.method === 'PATCH' ? req.body : undefined));
    await expect(makeOwnNamespace(context(client), { overlay: 'multus', names: ['nosuch'] })).rejects.toThrow(
      /overlay multus ships no NAD nosuch \(it has .*macvlan-conf/,
    );
  });

  it('never takes over or deletes a namespace of that name that a scenario did not make', async () => {
    const { client, requests } = fakeKube((req) => (req.method ? undefined : created));
    await expect(makeOwnNamespace(context(client), undefined)).rejects.toThrow(
      /namespace lab-x exists and is not a scenario's/,
    );
    await removeOwnNamespace(context(client));
    expect(requests.filter((r) => r.method !== undefined)).toEqual([]);
  });

  it("deletes an earlier run's leftover first and waits until it is gone", async () => {
    const terminating = { metadata: { ...ours.metadata, deletionTimestamp: '2026-12-07T01:00:00Z' } };
    const { client, requests, watches } = fakeKube(
      (req) => {
        if (req.method === 'DELETE') return {};
        if (req.method === 'PATCH') return req.body;
        if (req.path === '/api/v1/namespaces/lab-x') return ours;
        // Still there, terminating; a list's items carry no apiVersion or kind, as the API server sends them.
        return podList(terminating);
      },
      [[event('DELETED', { ...ours, ...terminating })]],
    );
    await makeOwnNamespace(context(client), undefined);
    expect(sent(requests)).toEqual([
      'GET /api/v1/namespaces/lab-x',
      'DELETE /api/v1/namespaces/lab-x',
      'GET /api/v1/namespaces',
      'PATCH /api/v1/namespaces/lab-x',
    ]);
    expect(watches).toHaveLength(1);
  });

  it('manifests without a namespace go into it; a pod from idlePod names none', async () => {
    const { client, requests } = fakeKube((req) => req.body);
    await applyManifests(context(client), JSON.stringify(idlePod({ name: 'p', node: 'vm-001' })));
    expect(requests.map((r) => r.path.replace(/\?.*/, ''))).toEqual(['/api/v1/namespaces/lab-x/pods/p']);
  });
});
