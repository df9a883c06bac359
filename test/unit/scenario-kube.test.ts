// The scenarios' Kubernetes helpers (scenarios/support/kube.ts) over a fake API: what they
// send and when they fail. The k8s tier runs them against real clusters.
import { describe, expect, it } from 'vitest';
import type { ScenarioContext } from '../../lab/scenario/define.js';
import { deletePods, unreachableFrom, waitPodsReady } from '../../scenarios/support/kube.js';
import { fakeKube, pod, podList } from './kube-fake.js';

function context(kube: ScenarioContext['kube']): ScenarioContext & { lines: string[] } {
  const lines: string[] = [];
  return { kube, log: (m: string) => lines.push(m), lines } as unknown as ScenarioContext & {
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
      'GET /api/v1/namespaces/default/pods?labelSelector=app%3Dx',
      'DELETE /api/v1/namespaces/default/pods/a',
      'GET /api/v1/namespaces/default/pods?labelSelector=app%3Dx',
    ]);
    expect(ctx.lines[0]).toMatch(/^deleted a: /);
  });
});
