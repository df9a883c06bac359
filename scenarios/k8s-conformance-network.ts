// Kubernetes' own conformance tests of sig-network, from the same module the lab's Kubernetes
// is built from (k8s.io/kubernetes v1.34.2, test/e2e): e2e.test runs on the host against the
// lab's API server, its pods use the images overlay conformance serves. Each test is reported
// under the name Kubernetes gives it. Long under TCG: it belongs to the nightly suite.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureArtifact } from '../lab/artifacts/artifact.js';
import { ENDPOINT_SLICE, EndpointSlice } from '../lab/cluster/kube-types.js';
import { ginkgoCases } from '../lab/report/ginkgo.js';
import { defineScenario, StepFailure } from '../lab/scenario/define.js';
import { conformanceImages } from '../overlays/conformance/artifacts.js';
import { e2eTest, kubernetes } from '../overlays/k8s/artifacts.js';
import { pullCommand } from '../overlays/private-reg/before-save.js';
import { waitNodesReady } from './support/kube.js';

/** What the scenario runs unless --focus says otherwise. */
export const CONFORMANCE_FOCUS = String.raw`\[sig-network\].*\[Conformance\]`;
/**
 * Tests that cannot pass in a lab, skipped unless --skip says otherwise, each with its reason.
 * Measured: see the scenario's figures in overlays/conformance/README.md.
 */
export const UNPASSABLE: Record<string, string> = {};
const SUITE_TIMEOUT_MS = 4 * 60 * 60_000;

export default defineScenario({
  name: 'k8s-conformance-network',
  description:
    "Kubernetes' own [sig-network] [Conformance] tests (e2e.test v1.34.2), on the host against the lab",
  topology: { nvm: 2 },
  overlays: ['xcluster-cni', 'private-reg', 'coredns', 'conformance'],
  // minutes under TCG: a cold boot and the tests' images (~20), then the 45 specs (~100: measured
  // 2026-12-07 on the current images, 34 in 66 min and 10 in 32 min; 2 h 53 min for 34 before
  // the images' fixes, when failing specs waited out their timeouts)
  weight: 120,
  steps: [
    {
      name: 'both nodes are Ready and kube-dns has its endpoint',
      timeoutMs: 300_000,
      run: async (ctx) => {
        await waitNodesReady(ctx);
        await ctx.kube.waitFor(
          EndpointSlice,
          ENDPOINT_SLICE,
          { namespace: 'kube-system', labelSelector: 'kubernetes.io/service-name=kube-dns' },
          (slices) => slices.some((s) => s.endpoints?.some((e) => e.conditions?.ready === true)),
          { what: 'a ready kube-dns endpoint', timeoutMs: 240_000 },
        );
      },
    },
    {
      // agnhost (70 MB) took 3 min 15 s to pull on vm-002 under TCG, and the first test to use it
      // failed its 5-minute wait for a Deployment: the pulls go first, so the tests time the network.
      name: "every node has the tests' images (agnhost, jessie-dnsutils, busybox, nginx, pause)",
      timeoutMs: 1_800_000,
      run: async (ctx) => {
        await Promise.all(
          ctx.plan.nodes.map(async (node) => {
            for (const { ref } of conformanceImages.images) {
              const started = Date.now();
              await ctx.sh(node.name, pullCommand(ref, { tryTimeoutSec: 420 }), { timeoutMs: 1_300_000 });
              ctx.log(`${node.name}: ${ref} pulled in ${((Date.now() - started) / 1000).toFixed(0)} s`);
            }
          }),
        );
      },
    },
    {
      name: "Kubernetes' e2e tests: [sig-network] [Conformance]",
      timeoutMs: SUITE_TIMEOUT_MS + 600_000,
      run: async (ctx) => {
        const out = ctx.host.outputDir;
        await mkdir(out, { recursive: true });
        const [tests, binaries] = await Promise.all([ensureArtifact(e2eTest), ensureArtifact(kubernetes)]);
        const focus = ctx.params.focus ?? CONFORMANCE_FOCUS;
        const skip = [ctx.params.skip, ...Object.keys(UNPASSABLE).map(escapeRegExp)]
          .filter(Boolean)
          .join('|');
        const report = join(out, 'e2e-report.json');
        const log = join(out, 'e2e.log');
        const args = [
          `--kubeconfig=${await ctx.host.kubeconfig()}`,
          '--provider=skeleton',
          `--kubectl-path=${join(binaries.dir, 'kubectl')}`,
          '--num-nodes=2',
          `--report-dir=${out}`,
          `--ginkgo.json-report=${report}`,
          `--ginkgo.focus=${focus}`,
          ...(skip ? [`--ginkgo.skip=${skip}`] : []),
          `--ginkgo.timeout=${SUITE_TIMEOUT_MS / 60_000}m`,
          '--ginkgo.no-color',
          '--disable-log-dump',
        ];
        ctx.log(`e2e.test ${args.join(' ')}`);
        process.stderr.write(`  e2e.test runs ${focus}; follow it with: tail -f ${log}\n`);
        const started = Date.now();
        const run = execa(join(tests.dir, 'e2e.test'), args, {
          all: true,
          buffer: false,
          reject: false,
          cancelSignal: ctx.signal,
          cwd: out,
        });
        run.all?.pipe(createWriteStream(log));
        const { exitCode } = await run;
        const cases = ginkgoCases(await readFile(report, 'utf8').catch(() => '[]'));
        ctx.report(cases);
        const failed = cases.filter((c) => c.status === 'failed');
        ctx.log(
          `${cases.length - failed.length} passed, ${failed.length} failed of ${cases.length} in ` +
            `${((Date.now() - started) / 1000).toFixed(0)} s (e2e.test exit ${exitCode}); log ${log}`,
        );
        if (cases.length === 0)
          throw new StepFailure(`e2e.test ran no test (exit ${exitCode}); its log: ${log}`);
        if (failed.length > 0 || exitCode !== 0)
          throw new StepFailure(
            `${failed.length} of ${cases.length} failed: ${failed.map((c) => c.name).join('; ')} (log: ${log})`,
          );
      },
    },
  ],
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
