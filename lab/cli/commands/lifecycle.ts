// lab start | stop | clean | env
import type { Command } from '@commander-js/extra-typings';
import { buildFromCheckouts } from '../../artifacts/artifact.js';
import { applyAddons, bootAddonsOverlay, readAddons } from '../../cluster/addons.js';
import { readImageArchive } from '../../cluster/image-archive.js';
import { removeOnInterrupt } from '../../lifecycle/interrupt.js';
import { resolveLab } from '../../lifecycle/resolve.js';
import { startLab } from '../../lifecycle/start.js';
import {
  listLabs,
  lockHeldByLiveProcess,
  processAlive,
  readState,
  readStates,
  removeLock,
  withLabLock,
} from '../../lifecycle/state.js';
import { teardown } from '../../lifecycle/teardown.js';
import { resolveCheckouts } from '../../overlay/checkouts.js';
import { checkSnapshotName, listSnapshotNames, readSnapshot, removeSnapshot } from '../../snapshot/store.js';
import { type ConfigLayer, parseIntStrict } from '../../topology/config.js';
import { planLab } from '../../topology/plan.js';
import { UsageError, writeLabError as warnUnreadable } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import {
  configLayers,
  nameOption,
  snapshotChoice,
  snapshotOptions,
  srcOption,
  type TopologyFlags,
  topologyOptions,
  withLabName,
} from '../options.js';
import { printStatus } from './status.js';

export function addLifecycleCommands(program: Command): void {
  const start = program
    .command('start')
    .summary('build the image, create the lab network and boot the VMs')
    .description(
      'Boots a lab: VMs vm-001… with NICs on per-lab bridges inside the network namespace lab-<name>.\n' +
        'OVERLAYS name what the VMs run (default: multinet); their dependencies come along.\n' +
        'Precedence: defaults < overlay defaults < environment < --topology file < flags.',
    )
    .argument('[overlays...]', 'overlays to apply, e.g. multinet, cni')
    .addOption(nameOption())
    .option('--keep', 'keep what was created if the start fails (for debugging)')
    .option(
      '--boot-timeout <seconds>',
      'time for every VM to be ready (default 180, or what the overlays ask for)',
      (v) => {
        const seconds = parseIntStrict(v, '--boot-timeout');
        if (seconds < 1)
          throw new UsageError(`--boot-timeout: ${seconds} is not a positive number of seconds`);
        return seconds;
      },
    )
    .addOption(snapshotOptions()[0])
    .addOption(snapshotOptions()[1])
    .option(
      '--restore <snapshot>',
      'restore this snapshot (lab snapshot list); its overlays and topology unless given; fails if it no longer matches',
    )
    .option(
      '--addon <file>',
      'Kubernetes manifests to apply once the API is up (repeatable); the start ends when their DaemonSets and Deployments are ready. With --pod-network addon they are the pod network (e.g. Calico), applied during the boot',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option(
      '--image <archive>',
      'images for the lab registry from a docker-archive or OCI-layout tar (docker save, podman save, skopeo copy; repeatable): part of the VM image, so pods pull them from the first boot',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .addOption(srcOption());
  for (const option of topologyOptions()) start.addOption(option);
  start.action(async (overlays, flags) => {
    const ui = createUi();
    const restore = flags.restore === undefined ? undefined : checkSnapshotName(flags.restore, '--restore');
    const layers = restore
      ? await savedConfigLayers(restore, flags, overlays)
      : await configLayers(flags, overlays);
    const { config, overlays: resolved } = await resolveLab(layers);
    // Read and checked before anything starts: a wrong file or an image the lab lacks fails now.
    const images = [];
    for (const archive of flags.image) images.push(...(await readImageArchive(archive)));
    if (images.length > 0 && !resolved.some((o) => o.manifest.name === 'private-reg'))
      throw new UsageError(
        '--image: this lab has no registry',
        'overlay private-reg has one, e.g. lab start k8s',
      );
    const addons = await readAddons(flags.addon, resolved, images);
    buildFromCheckouts(resolveCheckouts(flags.src, resolved));
    const atBoot = bootAddonsOverlay(resolved) !== undefined;
    // Until the start is done, Ctrl-C removes what it made (a lab that runs is the user's).
    const release = flags.keep === true ? () => undefined : removeOnInterrupt(config.name, ui);
    const state = await startLab(config, resolved, {
      ui,
      keepOnFailure: flags.keep === true,
      bootTimeoutMs: flags.bootTimeout === undefined ? undefined : flags.bootTimeout * 1000,
      snapshot: { ...snapshotChoice(flags), name: restore },
      user: { images, bootAddons: atBoot ? addons : [] },
    }).finally(release);
    if (addons.length > 0) await applyAddons(state, addons, ui, { appliedAtBoot: atBoot });
    ui.ok(`lab "${state.name}" running in ${((state.timings.totalMs ?? 0) / 1000).toFixed(1)} s`);
    await printStatus(state);
    const first = state.plan.nodes[0]?.name ?? 'vm-001';
    const suggestions = [
      `lab ssh ${first} ip -br addr`,
      ...resolved.flatMap((overlay) => overlay.manifest.tryNext),
      'lab stop',
    ];
    console.log(`\nnext: ${suggestions.map((c) => withLabName(c, state.name)).join('\n      ')}`);
  });

  program
    .command('stop')
    .summary('stop the lab: VMs, bridges, taps, namespace and state, all of it')
    .addOption(nameOption())
    .action(async (flags) => {
      // The state is read under the lock: a start still running writes it until it is done.
      await withLabLock(flags.name, async () => {
        const state = await readState(flags.name);
        if (!state)
          throw new UsageError(
            `no lab named "${flags.name}"`,
            `running labs: ${(await listLabs()).join(', ') || 'none'}`,
          );
        await teardown(state, createUi());
      });
    });

  program
    .command('clean')
    .summary(
      'remove what a lab left behind, even after a crash (default lab, or --all); snapshots stay unless --snapshots',
    )
    .addOption(nameOption())
    .option('--all', 'every lab this user has state for')
    .option(
      '--snapshots',
      'also remove every saved snapshot (labs restored from one keep its files until they stop)',
    )
    .action(async (flags) => {
      const names = flags.all ? await listLabs() : [flags.name];
      const ui = createUi();
      if (flags.snapshots)
        for (const snapshot of await listSnapshotNames()) {
          await removeSnapshot(snapshot);
          ui.info(`snapshot ${snapshot} removed`);
        }
      for (const name of names) {
        let unreadable = false;
        const [state] = await readStates([name], (err) => {
          warnUnreadable(err);
          unreadable = true;
          process.exitCode = 1;
        });
        if (!state) {
          if (!unreadable) ui.info(`lab "${name}": nothing to clean`);
          continue;
        }
        // A start killed with -9 never releases its lock: do not wait for it to go stale; but a
        // lock whose holder lives is waited for, never broken.
        if (
          (processAlive(state.ownerPid) && state.phase === 'starting') ||
          (await lockHeldByLiveProcess(name))
        )
          await withLabLock(name, () => teardown(state, ui));
        else {
          await teardown(state, ui);
          await removeLock(name);
        }
      }
    });

  const env = program
    .command('env')
    .summary('print the merged configuration (defaults, environment, topology file, flags) as JSON')
    .argument('[overlays...]')
    .addOption(nameOption());
  for (const option of topologyOptions()) env.addOption(option);
  env.action(async (overlays, flags) => {
    const { config } = await resolveLab(await configLayers(flags, overlays));
    planLab(config); // the plan's own checks (subnet sizes and overlaps) too, as lab start does
    console.log(JSON.stringify(config, null, 2));
  });
}

/** The config layers of `lab start --restore NAME`: the saved lab's config below the flags. */
async function savedConfigLayers(
  name: string,
  flags: TopologyFlags,
  overlays: string[],
): Promise<ConfigLayer[]> {
  const lookup = await readSnapshot(name);
  if (!lookup.found)
    throw new UsageError(`--restore: no snapshot named ${name}`, 'lab snapshot list shows them');
  if (!lookup.usable) throw new UsageError(`--restore: snapshot ${name} cannot be used: ${lookup.why}`);
  const { name: _savedName, ...saved } = lookup.manifest.config as ConfigLayer;
  const layers = await configLayers(flags, overlays.length ? overlays : (saved.overlays ?? []));
  return [saved, ...layers];
}
