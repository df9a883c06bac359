// `lab start`: image → host network → VMs → ready. Every host resource is recorded in the
// state file before it is created; on failure everything is removed again (unless kept).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startForward } from '../hostnet/forward.js';
import { createLabNetwork, netnsExists } from '../hostnet/netns.js';
import { ensureImage } from '../image/image.js';
import { nodeArchive, writeNodeInitrd } from '../image/node-archive.js';
import { createScratchDisk, ensureScratchTemplate } from '../image/scratch.js';
import type { NodeFiles, PrepareContext } from '../overlay/manifest.js';
import type { Overlay } from '../overlay/registry.js';
import { planLab } from '../topology/plan.js';
import type { LabConfig } from '../topology/schema.js';
import { LabError, UsageError } from '../util/errors.js';
import { labDir } from '../util/paths.js';
import type { Ui } from '../util/ui.js';
import { chooseAccel } from '../vm/accel.js';
import { startVm, waitVmReady } from '../vm/machine.js';
import { vmPaths } from '../vm/qemu-args.js';
import { reachableAddress } from './access.js';
import { saveEvidence } from './evidence.js';
import { createLabKeys } from './keys.js';
import { type LabState, processAlive, readState, updateState, withLabLock, writeState } from './state.js';
import { teardown } from './teardown.js';

export interface StartOptions {
  ui: Ui;
  bootTimeoutMs?: number;
  /** Keep what was created when start fails (for debugging). */
  keepOnFailure?: boolean;
  /** Where the VMs' serial logs go when start fails (the lab dir itself is removed). */
  evidenceDir?: string;
}

/** Time for one VM to reach `boot ready`; TCG is slow, and VMs boot side by side. */
export const DEFAULT_BOOT_TIMEOUT_MS = 180_000;

async function refuseIfPresent(config: LabConfig, ui: Ui): Promise<void> {
  const existing = await readState(config.name);
  if (existing) {
    if (processAlive(existing.ownerPid) && existing.phase === 'starting') {
      throw new UsageError(`lab "${config.name}" is being started by process ${existing.ownerPid}`);
    }
    if (existing.phase === 'running') {
      throw new UsageError(
        `lab "${config.name}" is already running`,
        `stop it with: lab stop --name ${config.name} (or pick another --name)`,
      );
    }
    ui.warn(
      `lab "${config.name}" was left behind by a crash (phase ${existing.phase}); cleaning it up first`,
    );
    await teardown(existing, ui);
  }
  if (await netnsExists(`lab-${config.name}`)) {
    throw new LabError(
      `network namespace lab-${config.name} exists but no lab state records it`,
      `if nothing uses it, remove it with: ip netns delete lab-${config.name}`,
    );
  }
}

/** The longest boot any overlay asks for (a Kubernetes control plane under TCG takes minutes). */
export function bootTimeoutFor(overlays: Overlay[]): number {
  return Math.max(DEFAULT_BOOT_TIMEOUT_MS, ...overlays.map((o) => (o.manifest.bootTimeoutSec ?? 0) * 1000));
}

/** Every overlay's per-lab files, merged per node (a later overlay wins on the same path). */
async function prepareOverlays(overlays: Overlay[], ctx: PrepareContext, ui: Ui): Promise<NodeFiles> {
  const merged: NodeFiles = {};
  for (const overlay of overlays) {
    const { prepare, name } = overlay.manifest;
    if (!prepare) continue;
    const files = await ui.phase(`prepare ${name}`, () => prepare(ctx));
    for (const [node, byPath] of Object.entries(files)) merged[node] = { ...merged[node], ...byPath };
  }
  return merged;
}

export async function startLab(
  config: LabConfig,
  overlays: Overlay[],
  options: StartOptions,
): Promise<LabState> {
  const { ui } = options;
  return withLabLock(config.name, async () => {
    await refuseIfPresent(config, ui);
    const started = Date.now();
    const plan = planLab(config);
    // Artifacts first: a missing one fails here, before anything is created on the host.
    const image = await ui.phase('image', () => ensureImage(overlays, (what) => ui.info(`  image: ${what}`)));
    const accel = await ui.phase('accelerator', () =>
      chooseAccel(config.accel, image.kernel.vmlinuz, image.initramfs, image.kernel.key),
    );
    ui.info(`  using ${accel.accel.toUpperCase()} (-cpu ${accel.cpu}): ${accel.reason}`);
    const dir = labDir(config.name);
    await rm(dir, { recursive: true, force: true });
    const state: LabState = {
      version: 1,
      name: config.name,
      dir,
      phase: 'starting',
      createdAt: new Date().toISOString(),
      ownerPid: process.pid,
      accel: { used: accel.accel, requested: config.accel, reason: accel.reason },
      config,
      plan,
      overlays: overlays.map((o) => o.manifest.name),
      vms: [],
      artifacts: Object.assign({}, ...image.layers.map((l) => l.artifacts)),
      timings: { imageMs: Date.now() - started },
    };
    await writeState(state);
    try {
      await updateState(state, { netns: plan.netns });
      await ui.phase(`network (namespace ${plan.netns})`, () => createLabNetwork(plan));
      await startHostForwards(state, overlays, ui);
      const keys = await createLabKeys(
        dir,
        config.name,
        plan.nodes.map((n) => n.name),
      );
      const nodeFiles = await prepareOverlays(overlays, { plan, labDir: dir }, ui);
      const template = await ensureScratchTemplate();
      const layerNames = image.layers.map((l) => l.name);
      const bootStarted = Date.now();
      for (const node of plan.nodes) {
        const vmDir = join(dir, 'vms', node.name);
        state.vms.push({ name: node.name, dir: vmDir });
        await writeState(state);
        const hostKey = keys.hosts[node.name];
        if (!hostKey) throw new Error(`internal: no host key for ${node.name}`);
        const archive = nodeArchive(
          plan,
          node,
          layerNames,
          { authorizedKey: keys.clientPublic, hostDropbearKey: Buffer.from(hostKey.dropbear, 'base64') },
          nodeFiles[node.name],
        );
        await startVmFiles(vmDir, image.initramfs, archive, template);
        const pid = await startVm({
          labName: config.name,
          netns: plan.netns,
          node,
          dir: vmDir,
          accel,
          kernel: image.kernel.vmlinuz,
          layers: image.layers.map((l) => l.path),
        });
        const vm = state.vms.find((v) => v.name === node.name);
        if (vm) vm.pid = pid;
        await writeState(state);
      }
      await ui.phase(`boot ${plan.nodes.length} VM(s)`, () =>
        Promise.all(
          state.vms.map(async (vm) => {
            const ready = await waitVmReady(
              vm.name,
              vm.dir,
              vm.pid ?? 0,
              options.bootTimeoutMs ?? bootTimeoutFor(overlays),
            );
            ui.ok(`${vm.name} ready (guest ${((ready.ms ?? 0) / 1000).toFixed(1)} s after kernel start)`);
          }),
        ),
      );
      state.timings.bootMs = Date.now() - bootStarted;
      state.timings.totalMs = Date.now() - started;
      return await updateState(state, { phase: 'running' });
    } catch (err) {
      await updateState(state, { phase: 'failed' });
      // The error carries the console tail; --keep leaves everything for a closer look.
      if (options.evidenceDir) await saveEvidence(state, options.evidenceDir);
      if (!options.keepOnFailure) await teardown(state, ui);
      throw err;
    }
  });
}

/** The overlays' host forwards (e.g. the API server on 127.0.0.1), recorded before each starts. */
async function startHostForwards(state: LabState, overlays: Overlay[], ui: Ui): Promise<void> {
  for (const forward of overlays.flatMap((o) => o.manifest.hostForwards)) {
    const node = state.plan.nodes.find((n) => n.name === (forward.node ?? state.plan.nodes[0]?.name));
    const host = node && reachableAddress(node);
    if (!node || !host || !state.netns)
      throw new UsageError(
        `host forward "${forward.name}": no addressed node ${forward.node ?? ''} to reach`,
      );
    await updateState(state, { forwards: [...(state.forwards ?? []), forward.name] });
    const started = await startForward(state.dir, state.netns, forward.name, { host, port: forward.port });
    ui.info(`  ${forward.name}: 127.0.0.1:${started.port} -> ${node.name} ${started.target}`);
  }
}

async function startVmFiles(
  vmDir: string,
  initramfs: string,
  archive: Buffer,
  template: string,
): Promise<void> {
  await mkdir(vmDir, { recursive: true });
  const paths = vmPaths(vmDir);
  await writeNodeInitrd(initramfs, archive, paths.initrd);
  await createScratchDisk(template, paths.scratch);
}
