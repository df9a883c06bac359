// Manifests Go modules ship (multus thick, whereabouts) are read from the module cache; lab changes only the
// containers' resource limits (under TCG, 100m of CPU starves multus-daemon).

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { withoutLimits } from '../../lab/cluster/module-manifests.js';

const manifest = `
kind: ServiceAccount
apiVersion: v1
metadata: {name: multus}
---
kind: DaemonSet
apiVersion: apps/v1
metadata: {name: kube-multus-ds}
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          resources:
            requests: {cpu: 100m, memory: 50Mi}
            limits: {cpu: 100m, memory: 50Mi}
      initContainers:
        - name: install-multus-binary
          resources:
            limits: {cpu: 10m}
      volumes:
        - name: cron
          configMap: {name: c, defaultMode: 0744}
`;

describe('withoutLimits', () => {
  it("drops every container's limits and keeps everything else, document by document", () => {
    const docs = parseAllDocuments(withoutLimits(manifest)).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'DaemonSet']);
    const spec = docs[1].spec.template.spec;
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '50Mi' } });
    expect(spec.initContainers[0].resources).toEqual({});
    expect(docs[0]).toEqual({ kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'multus' } });
  });

  it('reads numbers as Kubernetes does (YAML 1.1: 0744 is octal), so a file mode survives', () => {
    const daemonSet = parseAllDocuments(withoutLimits(manifest)).map((d) => d.toJS())[1];
    expect(daemonSet.spec.template.spec.volumes[0].configMap.defaultMode).toBe(0o744);
  });
});
