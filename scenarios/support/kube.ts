// kubectl for scenarios, as the lab's admin, and manifests applied only once every image
// they name is one the lab registry serves: without internet a missing image would leave
// pods waiting forever.
import { imagesOfManifests, missingImages } from '../../lab/cluster/lab-images.js';
import { CommandFailure, type ScenarioContext } from '../../lab/scenario/define.js';

export const CONTROL = 'vm-001';

export interface KubectlOptions {
  input?: string;
  timeoutMs?: number;
}

/** kubectl as lab-admin (ctx.kubectl); throws on failure, returns stdout. */
export async function kubectl(
  ctx: ScenarioContext,
  args: string,
  opts: KubectlOptions = {},
): Promise<string> {
  const result = await ctx.kubectl(args, { input: opts.input, timeoutMs: opts.timeoutMs ?? 120_000 });
  if (result.code !== 0) throw new CommandFailure('kubectl', `kubectl ${args}`, result);
  return result.stdout;
}

/** Applies manifests (YAML or JSON text) after checking their images are served. */
export async function applyManifests(ctx: ScenarioContext, text: string): Promise<void> {
  const missing = missingImages(imagesOfManifests(text));
  if (missing.length > 0)
    throw new Error(
      `not served by the lab registry (pods would wait for them forever): ${missing.join(', ')}; see lab images`,
    );
  await kubectl(ctx, 'apply -f -', { input: text });
}

/** Waits until the pods of `selector` are Ready; the SSH command outlives kubectl's own wait. */
export async function waitPodsReady(ctx: ScenarioContext, selector: string, timeoutSec = 380): Promise<void> {
  await kubectl(ctx, `wait --for=condition=Ready pod ${selector} --timeout=${timeoutSec}s`, {
    timeoutMs: (timeoutSec + 20) * 1000,
  });
}

/** Deletes the pods of `selector` (names or -l …), waits until they are gone, logs how long it took. */
export async function deletePods(ctx: ScenarioContext, selector: string): Promise<void> {
  const started = Date.now();
  await kubectl(ctx, `delete pod ${selector} --wait=true --timeout=150s`, { timeoutMs: 170_000 });
  ctx.log(`deleted ${selector}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Logs each pod's created -> Ready time as the API server recorded it: where a slow step went. */
export async function logReadyTimes(ctx: ScenarioContext, pods: readonly string[]): Promise<void> {
  for (const pod of pods) {
    const times = await kubectl(
      ctx,
      `get pod ${pod} -o jsonpath='{.metadata.creationTimestamp} {.status.conditions[?(@.type=="Ready")].lastTransitionTime}'`,
    );
    const [created = '', ready = ''] = times.trim().split(' ');
    ctx.log(
      `${pod}: created -> Ready ${(Date.parse(ready) - Date.parse(created)) / 1000} s (API server clock)`,
    );
  }
}
