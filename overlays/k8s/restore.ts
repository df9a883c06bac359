// A restored Kubernetes lab wakes up with its clocks jumped forward by the snapshot's age.
// The node lifecycle controller compares each node's lease with its own clock and would mark
// every node NotReady (and taint it unreachable) until the kubelets renew; renewing the leases
// at once keeps that from happening, and the check below waits out any flap all the same.
import { KubeApi } from '../../lab/cluster/kube-api.js';
import type { AfterRestoreContext } from '../../lab/overlay/manifest.js';
import { LabError } from '../../lab/util/errors.js';

// The node lifecycle controller looks every 5 s: a flap, if any, shows within this.
const SETTLE_MS = 6_000;
const POLL_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface NodeList {
  items: Array<{
    metadata: { name: string };
    spec: { taints?: Array<{ key: string }> };
    status: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

/** metav1.MicroTime wants exactly six fractional digits. */
export const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Nodes that are not Ready, or still carry a taint the controller adds to unreachable nodes. */
export function notReady(nodes: NodeList): string[] {
  return nodes.items
    .filter(
      (n) =>
        n.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True' ||
        (n.spec.taints ?? []).some((t) => /^node\.kubernetes\.io\/(unreachable|not-ready)$/.test(t.key)),
    )
    .map((n) => n.metadata.name);
}

export async function afterRestore({ state, timeoutMs }: AfterRestoreContext): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const api = await KubeApi.forLab(state);
  let last = '';
  try {
    // Right after the resume everything in the guests catches up at once, and a request may
    // time out: each call is retried until the deadline.
    const renewTime = microTime(new Date());
    const pending = new Set(state.plan.nodes.map((n) => n.name));
    while (pending.size > 0 && Date.now() < deadline) {
      for (const node of [...pending]) {
        await api
          .request({
            method: 'PATCH',
            path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`,
            body: { spec: { renewTime } },
            timeoutMs: 20_000,
          })
          .then(
            () => pending.delete(node),
            (err: Error) => {
              last = err.message;
            },
          );
      }
    }
    while (Date.now() < deadline) {
      const nodes = await api
        .request<NodeList>({ path: '/api/v1/nodes', timeoutMs: 20_000 })
        .catch((err: Error) => {
          last = err.message;
          return undefined;
        });
      if (nodes) {
        const waiting =
          nodes.items.length === state.plan.nodes.length ? notReady(nodes) : ['(not every node registered)'];
        last = `not Ready: ${waiting.join(', ')}`;
        if (waiting.length === 0 && Date.now() - started >= SETTLE_MS) return;
      }
      await sleep(POLL_MS);
    }
  } finally {
    api.close();
  }
  throw new LabError(`the restored cluster was not ready within ${timeoutMs / 1000} s (${last})`);
}
