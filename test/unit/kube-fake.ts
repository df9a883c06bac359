// A stand-in for KubeApi in unit tests of lab's own client logic: requests answered by a
// function, watch streams that play given events. Real API servers are in the k8s tier.
import type { KubeApi, KubeRequest } from '../../lab/cluster/kube-api.js';
import { KubeApiError } from '../../lab/cluster/kube-api.js';
import { KubeClient } from '../../lab/cluster/kube-client.js';

export interface FakeApi {
  client: KubeClient;
  requests: KubeRequest[];
  watches: string[];
}

const DISCOVERY: Record<string, unknown> = {
  '/api/v1': {
    resources: [
      { name: 'pods', kind: 'Pod', namespaced: true },
      { name: 'pods/exec', kind: 'PodExecOptions', namespaced: true },
      { name: 'nodes', kind: 'Node', namespaced: false },
      { name: 'events', kind: 'Event', namespaced: true },
      { name: 'namespaces', kind: 'Namespace', namespaced: false },
    ],
  },
  '/apis/k8s.cni.cncf.io/v1': {
    resources: [
      { name: 'network-attachment-definitions', kind: 'NetworkAttachmentDefinition', namespaced: true },
    ],
  },
};

/**
 * `answer` gets every non-discovery request (undefined: 404); `watch` gives the lines each
 * watch stream plays, in order, one array per watch.
 */
export function fakeKube(answer: (req: KubeRequest) => unknown, watchStreams: string[][] = []): FakeApi {
  const requests: KubeRequest[] = [];
  const watches: string[] = [];
  const api = {
    calls: 0,
    endpoint: { port: 1, tls: { ca: '', cert: '', key: '' } },
    async request<T>(req: KubeRequest): Promise<T> {
      api.calls += 1;
      if (DISCOVERY[req.path]) return DISCOVERY[req.path] as T;
      requests.push(req);
      const value = answer(req);
      if (value === undefined)
        throw new KubeApiError(`${req.method ?? 'GET'} ${req.path}: 404 not found`, 404);
      return value as T;
    },
    async stream(path: string, onLine: (line: string) => boolean): Promise<void> {
      api.calls += 1;
      watches.push(path);
      for (const line of watchStreams.shift() ?? []) if (onLine(line)) return;
    },
    close() {},
  };
  return { client: new KubeClient(async () => api as unknown as KubeApi), requests, watches };
}

export function pod(
  name: string,
  ready: boolean,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: '2026-12-05T10:00:00Z' },
    spec: { nodeName: 'vm-001' },
    status: {
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-12-05T10:00:07Z' },
      ],
    },
    ...extra,
  };
}

export const podList = (...items: unknown[]) => ({ metadata: { resourceVersion: '42' }, items });
export const event = (type: string, object: unknown) => JSON.stringify({ type, object });
