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
