// `lab deploy NAME [--src PATH]`: build what an overlay declares deployable from a developer's
// Go checkout (or take the overlay's pinned build) and put it into a running lab; record what
// runs. A binary is copied to every node atomically (write, then rename), so a CNI ADD in
// flight runs the old binary or the new one, never half of one; an image goes through the lab
// registry to its DaemonSet (deploy-image.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureArtifact } from '../artifacts/artifact.js';
import { buildCheckout, checkCheckout, describeCheckout } from '../artifacts/providers/checkout.js';
import { sshTarget } from '../lifecycle/access.js';
import { type LabState, writeState } from '../lifecycle/state.js';
import { loadOverlay } from '../overlay/registry.js';
import { UsageError } from '../util/errors.js';
import { shellQuote } from '../util/shell-quote.js';
import { SshSession } from '../vm/ssh.js';
import { deployImage } from './deploy-image.js';
import type { BinaryDeployable, Deployable } from './deployable.js';

export interface DeployRecord {
  /** "pinned" or the checkout's absolute path. */
  source: string;
  version: string;
  at: string;
  buildMs: number;
  copyMs: number;
}

/** The deployables the lab's overlays declare, by name. */
export async function labDeployables(state: LabState): Promise<Map<string, Deployable>> {
  const found = new Map<string, Deployable>();
  for (const name of state.overlays) {
    for (const d of (await loadOverlay(name)).manifest.deployables) found.set(d.name, d);
  }
  return found;
}

/** Copies the binary to every VM (atomically) and returns each node's version line. */
async function copyToNodes(state: LabState, file: string, target: BinaryDeployable): Promise<string[]> {
  // Compressed on the way: under TCG the guest's sshd takes in ~1.5 MB/s, and a Go binary
  // shrinks to about a third (multus: 47 MB, 14 MB gzipped); busybox unpacks it in the guest.
  const bytes = gzipSync(await readFile(file), { level: 6 });
  const dest = `${target.into}/${target.binary}`;
  const version = target.versionArgs
    ? `${shellQuote(dest)} ${target.versionArgs.map(shellQuote).join(' ')}`
    : 'true';
  const script =
    `set -e; t=${shellQuote(`${dest}.lab-deploy`)}; busybox gunzip -c > "$t"; chmod 755 "$t"; ` +
    `mv -f "$t" ${shellQuote(dest)}; ${version} 2>&1 | head -n 1`;
  return Promise.all(
    state.vms.map(async (vm) => {
      const session = await SshSession.open(await sshTarget(state, vm.name), { timeoutMs: 30_000 });
      try {
        const result = await session.exec(script, { input: bytes, timeoutMs: 120_000 });
        if (result.code !== 0)
          throw new UsageError(
            `${vm.name}: copying ${target.binary} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
          );
        return `${vm.name}: ${result.stdout.trim()}`;
      } finally {
        session.close();
      }
    }),
  );
}

export async function deploy(
  state: LabState,
  target: Deployable,
  src: string | undefined,
  progress: (line: string) => void,
): Promise<{ record: DeployRecord; nodes: string[] }> {
  const done =
    target.kind === 'image'
      ? await deployImage(state, target, src, progress)
      : await deployBinary(state, target, src, progress);
  state.deployed = { ...state.deployed, [target.name]: done.record };
  await writeState(state);
  return done;
}

async function deployBinary(
  state: LabState,
  target: BinaryDeployable,
  src: string | undefined,
  progress: (line: string) => void,
): Promise<{ record: DeployRecord; nodes: string[] }> {
  const scratch = await mkdtemp(join(tmpdir(), 'lab-deploy-'));
  try {
    const started = Date.now();
    let file: string;
    let version: string;
    let source: string;
    if (src) {
      const { checkout } = target.artifact;
      source = checkCheckout(src, checkout.module, '--src');
      version = describeCheckout(source);
      progress(`building ${target.name} ${version} from ${source}`);
      // Only the binary deployed: the artifact's other commands would only cost build time.
      const only = checkout.packages.filter((p) => p.endsWith(`/${target.binary}`));
      await buildCheckout({ ...checkout, packages: only }, source, version, scratch, progress);
      file = join(scratch, target.binary);
    } else {
      const pinned = await ensureArtifact(target.artifact, (m) => progress(m));
      file = join(pinned.dir, target.binary);
      version = pinned.version;
      source = 'pinned';
    }
    const buildMs = Date.now() - started;
    progress(`copying ${target.binary} to ${state.vms.length} VM(s): ${target.into}/${target.binary}`);
    const nodes = await copyToNodes(state, file, target);
    const record: DeployRecord = {
      source,
      version,
      at: new Date().toISOString(),
      buildMs,
      copyMs: Date.now() - started - buildMs,
    };
    return { record, nodes };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What a deploy put on the nodes: the version it says it is, and each node's version line. */
export interface DeployOutcome {
  kind: Deployable['kind'];
  version: string;
  buildMs: number;
  copyMs: number;
  nodes: string[];
}

/** deploy() by name, as `lab deploy NAME` and scenarios call it: a name no overlay declares is a usage error. */
export async function deployTo(
  state: LabState,
  name: string,
  src: string | undefined,
  progress: (line: string) => void,
): Promise<DeployOutcome> {
  const deployables = await labDeployables(state);
  const target = deployables.get(name);
  if (!target)
    throw new UsageError(
      `lab "${state.name}" has nothing called "${name}" to deploy`,
      `deployable here: ${[...deployables.keys()].join(', ') || 'nothing (its overlays declare none)'}`,
    );
  const { record, nodes } = await deploy(state, target, src, progress);
  return {
    kind: target.kind,
    version: record.version,
    buildMs: record.buildMs,
    copyMs: record.copyMs,
    nodes,
  };
}
