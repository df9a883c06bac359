// lab start --addon: files are checked before anything starts (each mistake names its file),
// and a DaemonSet counts as ready only when every node runs its current spec.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootAddonsOverlay, readAddons } from '../../lab/cluster/addons.js';
import { isDaemonSetReady } from '../../lab/cluster/kube-types.js';
import { type Overlay, resolveOverlays } from '../../lab/overlay/registry.js';
import { fileTempDir } from '../support/temp-dir.js';

const tmp = fileTempDir('lab-addons-');
const dir = () => tmp;
let multus: Overlay[] = [];
let multinet: Overlay[] = [];
let addonNetwork: Overlay[] = [];

const daemonSet = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: probe, namespace: kube-system}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      containers: [{name: probe, image: ${image}}]
`;

beforeAll(async () => {
  multus = await resolveOverlays(['multus', 'xcluster-cni', 'multus-thin']);
  multinet = await resolveOverlays(['multinet']);
  addonNetwork = await resolveOverlays(['k8s', 'addon']);
  await writeFile(join(dir(), 'ok.yaml'), daemonSet('docker.io/lab/toolbox:1'));
  await writeFile(join(dir(), 'coredns.yaml'), daemonSet('registry.k8s.io/coredns/coredns:v1.14.7'));
  await writeFile(join(dir(), 'calico.yaml'), daemonSet('docker.io/calico/node:v3.28.0'));
  await writeFile(join(dir(), 'broken.yaml'), 'kind: [unclosed');
  await writeFile(join(dir(), 'empty.yaml'), '# nothing\n');
}, 30_000);

describe('readAddons', () => {
  it("counts the user's --image archives as served", async () => {
    const calico = [{ repository: 'calico/node', tag: 'v3.28.0' }];
    const [addon] = await readAddons([join(dir(), 'calico.yaml')], multus, calico);
    expect(addon?.text).toContain('docker.io/calico/node:v3.28.0');
  });

  it('a pod network from an addon wants its manifest, and says how to give it', async () => {
    expect(bootAddonsOverlay(addonNetwork)?.manifest.name).toBe('addon');
    expect(bootAddonsOverlay(multus)).toBeUndefined();
    await expect(readAddons([], addonNetwork)).rejects.toThrow(
      /overlay addon takes the pod network from your manifests, and no --addon names one/,
    );
  });

  it("reads manifests whose images the lab serves, its overlays' images included", async () => {
    const addons = await readAddons([join(dir(), 'ok.yaml'), join(dir(), 'coredns.yaml')], multus);
    expect(addons.map((a) => a.objects.map((o) => o.kind))).toEqual([['DaemonSet'], ['DaemonSet']]);
  });

  it('names the file and the image the lab registry lacks', async () => {
    await expect(readAddons([join(dir(), 'calico.yaml')], multus)).rejects.toThrow(
      /--addon .*calico\.yaml: the lab registry does not serve docker\.io\/calico\/node:v3\.28\.0/,
    );
  });

  it('names the file for a missing file, broken YAML, no objects, and a lab without Kubernetes', async () => {
    await expect(readAddons([join(dir(), 'nope.yaml')], multus)).rejects.toThrow(/nope\.yaml: no such file/);
    await expect(readAddons([join(dir(), 'broken.yaml')], multus)).rejects.toThrow(
      /broken\.yaml: manifest document 1/,
    );
    await expect(readAddons([join(dir(), 'empty.yaml')], multus)).rejects.toThrow(
      /empty\.yaml: no Kubernetes objects/,
    );
    await expect(readAddons([join(dir(), 'ok.yaml')], multinet)).rejects.toThrow(
      /this lab runs no Kubernetes/,
    );
    expect(await readAddons([], multinet)).toEqual([]);
  });
});

describe('isDaemonSetReady', () => {
  const ds = (generation: number, status: Record<string, number>) => ({
    metadata: { name: 'probe', generation },
    status,
  });
  it('is ready when every desired node runs the current spec, Ready', () => {
    expect(
      isDaemonSetReady(
        ds(2, {
          observedGeneration: 2,
          desiredNumberScheduled: 2,
          numberReady: 2,
          updatedNumberScheduled: 2,
        }),
      ),
    ).toBe(true);
  });
  it('is not ready with a node short, an old spec, an unobserved change or no node at all', () => {
    const full = {
      observedGeneration: 2,
      desiredNumberScheduled: 2,
      numberReady: 2,
      updatedNumberScheduled: 2,
    };
    expect(isDaemonSetReady(ds(2, { ...full, numberReady: 1 }))).toBe(false);
    expect(isDaemonSetReady(ds(2, { ...full, updatedNumberScheduled: 1 }))).toBe(false);
    expect(isDaemonSetReady(ds(3, full))).toBe(false);
    expect(
      isDaemonSetReady(
        ds(1, {
          observedGeneration: 1,
          desiredNumberScheduled: 0,
          numberReady: 0,
          updatedNumberScheduled: 0,
        }),
      ),
    ).toBe(false);
  });
});
