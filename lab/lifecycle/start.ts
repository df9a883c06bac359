// `lab start`: image → host network → VMs → ready. Every host resource is recorded in the
// state file before it is created; on failure everything is removed again (unless kept).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkoutBuilds, usesCheckouts } from '../artifacts/artifact.js';
import { startForward, startRelay } from '../hostnet/forward.js';
import { createLabNetwork, netnsExists } from '../hostnet/netns.js';
import { type BootImage, ensureImage } from '../image/image.js';
import { nodeArchive, writeNodeInitrd } from '../image/node-archive.js';
import { createScratchDisk, ensureScratchTemplate } from '../image/scratch.js';
import type { NodeFiles, PrepareContext } from '../overlay/manifest.js';
import { loadOverlay, type Overlay } from '../overlay/registry.js';
import { ensureUserLayer, USER_LAYER, type UserLayerInputs } from '../overlay/user-layer.js';
import { keyDifference, planForKey, SNAPSHOT_FORMAT, type SnapshotKey } from '../snapshot/key.js';
import { restoreLab } from '../snapshot/restore.js';
import { saveLab } from '../snapshot/save.js';
import { autoSnapshotName, markUnusable, readSnapshot } from '../snapshot/store.js';
import { type LabPlan, planLab } from '../topology/plan.js';
import type { LabConfig } from '../topology/schema.js';
import { errorMessage, LabError, UsageError } from '../util/errors.js';
import { labDir } from '../util/paths.js';
import { formatAge } from '../util/time.js';
import type { Ui } from '../util/ui.js';
import { type AccelVerdict, chooseAccel, hostBootId } from '../vm/accel.js';
import { runningPid, startVm, waitVmReady } from '../vm/machine.js';
import { vmPaths } from '../vm/qemu-args.js';
import { qemuInfo } from '../vm/qemu-info.js';
import { reachableAddress } from './access.js';
import { BootProgress, HEARTBEAT_MS } from './boot-progress.js';
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
  /** Default: restore a matching snapshot, save one after a cold boot. */
  snapshot?: SnapshotChoice;
  /** Images and boot-time manifests the user brings (lab start --image, --addon). */
  user?: UserLayerInputs;
}

/** Time for one VM to reach `boot ready`; TCG is slow, and VMs boot side by side. */
export const DEFAULT_BOOT_TIMEOUT_MS = 180_000;

/** Time for a restored lab's overlays to be ready again (nodes Ready after the clock jump). */
const RESTORE_READY_TIMEOUT_MS = 120_000;

async function refuseIfPresent(config: LabConfig, ui: Ui): Promise<void> {
  const existing = await readState(config.name);
  if (existing) {
    if (processAlive(existing.ownerPid) && existing.phase === 'starting') {
      throw new UsageError(`lab "${config.name}" is being started by process ${existing.ownerPid}`);
    }
    if (existing.phase === 'running') {
      const down = await deadVms(existing);
      if (down.length === 0)
        throw new UsageError(
          `lab "${config.name}" is already running`,
          `stop it with: lab stop --name ${config.name} (or pick another --name)`,
        );
      if (down.length < existing.vms.length)
        throw new UsageError(
          `lab "${config.name}" is partly alive: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} gone`,
          `remove it, then start again: lab stop --name ${config.name}`,
        );
      const why =
        existing.bootId && existing.bootId !== (await hostBootId())
          ? 'the host restarted since'
          : 'their QEMUs exited';
      ui.warn(
        `lab "${config.name}" was running, but all its VMs are gone (${why}): cleaning it up and starting again`,
      );
      await teardown(existing, ui);
      return;
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

/** The VMs of a lab whose QEMU is gone. */
async function deadVms(state: LabState): Promise<string[]> {
  const pids = await Promise.all(state.vms.map((vm) => runningPid(vm.dir, vm.pid)));
  return state.vms.filter((_, i) => pids[i] === undefined).map((vm) => vm.name);
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

/** What a start does about snapshots (see lab/snapshot/). */
export type SnapshotMode =
  /** Restore the overlays' snapshot when it matches; after a cold boot, save one. */
  | 'auto'
  /** Neither restore nor save (--no-snapshot). */
  | 'off'
  /** Boot cold and replace the snapshot (--fresh). */
  | 'fresh';

export interface SnapshotChoice {
  mode: SnapshotMode;
  /** A named snapshot to restore (lab start --restore NAME): it must match, or the start fails. */
  name?: string;
}

/** Everything a start found out before it touched the host: the plan, the image, the key. */
interface StartInputs {
  config: LabConfig;
  plan: LabPlan;
  overlays: Overlay[];
  image: BootImage;
  accel: AccelVerdict;
  machine: string;
  key: SnapshotKey;
}

export async function startLab(
  config: LabConfig,
  overlays: Overlay[],
  options: StartOptions,
): Promise<LabState> {
  const { ui } = options;
  const choice = options.snapshot ?? { mode: 'auto' };
  return withLabLock(config.name, async () => {
    await refuseIfPresent(config, ui);
    const started = Date.now();
    const inputs = await gatherInputs(config, overlays, ui, options.user);
    // A lab with the user's layer or a checkout's build keeps its own snapshot: the overlays'
    // plain one stays for the labs without them, instead of each replacing the other.
    const marks = [
      ...(inputs.image.layers.some((l) => l.name === USER_LAYER) ? [USER_LAYER] : []),
      ...(usesCheckouts() ? ['src'] : []),
    ];
    const name = choice.name ?? autoSnapshotName([...config.overlays, ...marks]);
    if (choice.name !== undefined || choice.mode === 'auto') {
      const restored = await tryRestore(inputs, name, choice, started, options);
      if (restored) return restored;
    }
    const state = await bootCold(inputs, started, options);
    if (choice.mode !== 'off') await saveAfterBoot(state, name, ui);
    return state;
  });
}

async function gatherInputs(
  config: LabConfig,
  overlays: Overlay[],
  ui: Ui,
  user: UserLayerInputs | undefined,
): Promise<StartInputs> {
  const plan = planLab(config);
  // Artifacts first: a missing one fails here, before anything is created on the host.
  const image = await ui.phase('image', async () => {
    const built = await ensureImage(overlays, (what) => ui.info(`  image: ${what}`));
    const userLayer = user && (await ensureUserLayer(user));
    if (userLayer) {
      ui.info(
        `  image: the user's layer (${user.images.length} image(s), ${user.bootAddons.length} boot addon(s))`,
      );
      built.layers.push(userLayer);
    }
    return built;
  });
  const accel = await ui.phase('accelerator', () =>
    chooseAccel(config.accel, image.kernel.vmlinuz, image.initramfs, image.kernel.key),
  );
  ui.info(`  using ${accel.accel.toUpperCase()} (-cpu ${accel.cpu}): ${accel.reason}`);
  const qemu = await qemuInfo();
  const key: SnapshotKey = {
    format: SNAPSHOT_FORMAT,
    qemu: qemu.version,
    machine: qemu.machine,
    accel: { accel: accel.accel, cpu: accel.cpu },
    kernel: image.kernel.key,
    initramfs: image.initramfsKey,
    layers: image.layers.map(({ name, key }) => ({ name, key })),
    overlays: overlays.map((o) => o.manifest.name),
    plan: planForKey(plan),
  };
  return { config, plan, overlays, image, accel, machine: qemu.machine, key };
}

/** A fresh lab directory and its state file (written before anything is made on the host). */
async function createLabState(inputs: StartInputs, started: number): Promise<LabState> {
  const { config, plan, overlays, image, accel } = inputs;
  const dir = labDir(config.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
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
    snapshotKey: inputs.key,
    bootId: await hostBootId(),
    ...(usesCheckouts() ? { builtFrom: checkoutBuilds() } : {}),
  };
  await writeState(state);
  return state;
}

/**
 * Makes a new lab host (namespace with its bridges and taps, host forwards) and runs `body` on
 * it; on failure removes it all (unless kept) and rethrows.
 */
async function onNewLabHost(
  inputs: StartInputs,
  started: number,
  options: StartOptions,
  body: (state: LabState) => Promise<void>,
): Promise<LabState> {
  const state = await createLabState(inputs, started);
  try {
    await updateState(state, { netns: inputs.plan.netns });
    await options.ui.phase(`network (namespace ${inputs.plan.netns})`, async () => {
      await createLabNetwork(inputs.plan);
      await startRelay(state.dir, inputs.plan.netns);
    });
    await startHostForwards(state, inputs.overlays, options.ui);
    await body(state);
    state.timings.totalMs = Date.now() - started;
    return await updateState(state, { phase: 'running' });
  } catch (err) {
    await updateState(state, { phase: 'failed' });
    // The error carries the console tail; --keep leaves everything for a closer look. A failure
    // of the clean-up is said, but never replaces the error that made the start fail.
    const said = (what: string) => (cleanupErr: unknown) =>
      options.ui.warn(
        `${what} failed too: ${errorMessage(cleanupErr)} (lab clean --name ${state.name} retries)`,
      );
    if (options.evidenceDir)
      await saveEvidence(state, options.evidenceDir).catch(said('saving the evidence'));
    if (!options.keepOnFailure) await teardown(state, options.ui).catch(said('removing the failed lab'));
    throw err;
  }
}

/**
 * The lab from its snapshot when one matches; undefined (after saying why) when lab should boot
 * cold instead. A named snapshot that cannot be used is an error, never a silent cold boot.
 */
async function tryRestore(
  inputs: StartInputs,
  name: string,
  choice: SnapshotChoice,
  started: number,
  options: StartOptions,
): Promise<LabState | undefined> {
  const { ui } = options;
  const lookup = await readSnapshot(name);
  const why = !lookup.found
    ? 'none saved yet'
    : !lookup.usable
      ? lookup.why
      : keyDifference(lookup.manifest.key as SnapshotKey, inputs.key);
  if (why !== undefined || !lookup.found || !lookup.usable) {
    if (choice.name !== undefined)
      throw new UsageError(
        `snapshot ${name} cannot be used: ${why}`,
        'lab snapshot list shows what is saved',
      );
    ui.info(`snapshot ${name}: ${why}; booting cold`);
    return undefined;
  }
  const { manifest, dir } = lookup;
  try {
    return await ui.phase(`restore snapshot ${name} (saved ${formatAge(manifest.savedAt)} ago)`, () =>
      onNewLabHost(
        inputs,
        started,
        { ...options, evidenceDir: undefined, keepOnFailure: false },
        async (state) => {
          // Write-ahead: the version this lab runs on is kept while the lab exists.
          state.snapshot = { name, savedAt: manifest.savedAt, restoredAt: new Date().toISOString(), dir };
          await writeState(state);
          const timings = await restoreLab(
            state,
            {
              snapshotDir: dir,
              accel: inputs.accel,
              machine: inputs.machine,
              kernel: inputs.image.kernel.vmlinuz,
              layers: inputs.image.layers.map((l) => l.path),
              overlays: inputs.overlays,
              readyTimeoutMs: RESTORE_READY_TIMEOUT_MS,
            },
            ui,
          );
          Object.assign(state.timings, {
            restoreLoadMs: timings.loadMs,
            restoreClockMs: timings.clockMs,
            restoreReadyMs: timings.readyMs,
          });
          state.snapshot.restoredAt = new Date().toISOString();
          ui.ok(
            `restored: state loaded in ${seconds(timings.loadMs)}, clocks set in ${seconds(timings.clockMs)} (they were ${seconds(timings.behindMs)} behind), ready in ${seconds(timings.readyMs)}`,
          );
        },
      ),
    );
  } catch (err) {
    const message = errorMessage(err);
    await markUnusable(dir, message);
    if (choice.name !== undefined) throw new LabError(`restoring snapshot ${name} failed: ${message}`);
    ui.warn(`snapshot ${name}: the restore failed, so it is marked unusable and lab boots cold: ${message}`);
    return undefined;
  }
}

async function bootCold(inputs: StartInputs, started: number, options: StartOptions): Promise<LabState> {
  const { config, overlays, image, accel, machine } = inputs;
  const { ui } = options;
  return onNewLabHost(inputs, started, options, async (state) => {
    const { plan, dir } = state;
    const keys = await createLabKeys(
      dir,
      config.name,
      plan.nodes.map((n) => n.name),
    );
    const kubeUsers = overlays.flatMap((o) => o.manifest.kubeUsers);
    const nodeFiles = await prepareOverlays(overlays, { plan, labDir: dir, kubeUsers }, ui);
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
        machine,
        kernel: image.kernel.vmlinuz,
        layers: image.layers.map((l) => l.path),
      });
      const vm = state.vms.find((v) => v.name === node.name);
      if (vm) vm.pid = pid;
      await writeState(state);
    }
    const progress = new BootProgress(Date.now());
    const heartbeat = setInterval(() => ui.info(`  ${progress.waitingLine()}`), HEARTBEAT_MS);
    try {
      await ui.phase(`boot ${plan.nodes.length} VM(s)`, () =>
        Promise.all(
          state.vms.map(async (vm) => {
            const ready = await waitVmReady(
              vm.name,
              vm.dir,
              vm.pid ?? 0,
              options.bootTimeoutMs ?? bootTimeoutFor(overlays),
              (event) => {
                const line = progress.onEvent(vm.name, event);
                if (line) ui.info(`  ${line}`);
              },
            );
            ui.ok(`${vm.name} ready (guest ${((ready.ms ?? 0) / 1000).toFixed(1)} s after kernel start)`);
          }),
        ),
      );
    } finally {
      clearInterval(heartbeat);
    }
    state.timings.bootMs = Date.now() - bootStarted;
  });
}

const BEFORE_SAVE_TIMEOUT_MS = 900_000;

/** Saves a running lab as snapshot `name` (lab snapshot save; lab start after a cold boot). */
export async function saveSnapshot(state: LabState, name: string, ui: Ui): Promise<void> {
  if (!state.snapshotKey)
    throw new LabError(`lab "${state.name}" was started by an older lab, which recorded no snapshot key`);
  const key = state.snapshotKey;
  for (const overlay of await Promise.all(state.overlays.map(loadOverlay))) {
    const prepare = overlay.manifest.beforeSave;
    if (prepare)
      await ui.phase(`${overlay.manifest.name}: before the save`, () =>
        prepare({ state, ui, timeoutMs: BEFORE_SAVE_TIMEOUT_MS }),
      );
  }
  const saved = await ui.phase(`save snapshot ${name}`, () => saveLab(state, name, key, ui));
  state.timings.saveMs = saved.manifest.saveMs;
  await writeState(state);
  const bytes = saved.manifest.vms.reduce((sum, vm) => sum + vm.stateBytes + vm.diskBytes, 0);
  ui.ok(
    `snapshot ${name} saved (${(bytes / 1024 ** 2).toFixed(0)} MiB, VMs paused ${seconds(saved.pausedMs)})`,
  );
}

/** After a cold boot: a failed save leaves the lab running, with a warning. */
async function saveAfterBoot(state: LabState, name: string, ui: Ui): Promise<void> {
  try {
    await saveSnapshot(state, name, ui);
    ui.info(
      `  the next lab start ${state.config.overlays.join(' ')} restores it (--fresh boots cold, --no-snapshot neither saves nor restores)`,
    );
  } catch (err) {
    ui.warn(`snapshot ${name} was not saved: ${errorMessage(err)} (the lab runs on)`);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

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
  await mkdir(vmDir, { recursive: true, mode: 0o700 });
  const paths = vmPaths(vmDir);
  await writeNodeInitrd(initramfs, archive, paths.initrd);
  await createScratchDisk(template, paths.scratch);
}
