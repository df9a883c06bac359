// `lab logs`: everything a failed report collects, on demand, for a running lab, in one folder
// (as `kind export logs` does): each VM's serial console and guest events (kept on the host),
// the guest's unit logs, multus's log and containerd's cached CNI results (fetched over SSH as
// a tar), and for a Kubernetes lab the cluster's view (nodes, pods, events, NADs).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostKubectl, kubectlRunner } from '../cluster/host-access.js';
import { run } from '../util/exec.js';
import { SshSession } from '../vm/ssh.js';
import { sshTarget } from './access.js';
import { saveEvidence } from './evidence.js';
import type { LabState } from './state.js';

/** Guest paths worth having, those that exist, as one gzipped tar on stdout (base64: SSH text). */
export const GUEST_LOG_PATHS = ['var/log/lab', 'var/log/multus.log', 'var/lib/cni/results'];
const GUEST_TAR =
  `cd / && set -- && for p in ${GUEST_LOG_PATHS.join(' ')}; do [ -e "$p" ] && set -- "$@" "$p"; done; ` +
  '[ $# -gt 0 ] && tar -czf - "$@" | base64';

/** What the cluster says, one file each: kubectl's arguments. */
export const CLUSTER_VIEWS: Record<string, string> = {
  'nodes.txt': 'get nodes -o wide',
  'nodes-described.txt': 'describe nodes',
  'pods.txt': 'get pods -A -o wide',
  'pods-described.txt': 'describe pods -A',
  'events.txt': 'get events -A --sort-by=.lastTimestamp',
  'network-attachment-definitions.yaml': 'get network-attachment-definitions -A -o yaml',
  'daemonsets.txt': 'get daemonsets -A -o wide',
};

export interface LogsExport {
  dir: string;
  /** One line per thing collected or missed, for the index and the terminal. */
  lines: string[];
}

/** Refuses an output folder that holds anything (never mixes two exports, never overwrites). */
export async function checkEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries.length === 0;
}

async function guestFiles(state: LabState, vm: string, into: string): Promise<string> {
  let session: SshSession | undefined;
  try {
    session = await SshSession.open(await sshTarget(state, vm), { timeoutMs: 30_000 });
    const result = await session.exec(GUEST_TAR, { timeoutMs: 120_000 });
    if (result.code !== 0 || !result.stdout.trim())
      return `${vm}: no guest logs (${result.stderr.trim() || `exit ${result.code}`})`;
    await mkdir(into, { recursive: true });
    // GNU tar drops leading '/' and refuses members with '..': the guest cannot write outside.
    await run(['tar', '-xzf', '-', '-C', into, '--no-same-owner'], {
      input: Buffer.from(result.stdout.replace(/\s+/g, ''), 'base64'),
      what: `unpacking ${vm}'s logs`,
    });
    return `${vm}: guest logs in ${vm}/ (${GUEST_LOG_PATHS.map((p) => `/${p}`).join(', ')})`;
  } catch (err) {
    return `${vm}: guest logs not fetched: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    session?.close();
  }
}

async function clusterViews(state: LabState, into: string): Promise<string[]> {
  if (!(await hostKubectl(state))) return ['cluster: not a Kubernetes lab (or no kubeconfig yet): skipped'];
  const kubectl = await kubectlRunner(state, async () => ({
    code: 1,
    stdout: '',
    stderr: 'no host kubectl',
  }));
  await mkdir(into, { recursive: true });
  const lines: string[] = [];
  for (const [file, args] of Object.entries(CLUSTER_VIEWS)) {
    const result = await kubectl(args, { timeoutMs: 120_000 });
    await writeFile(
      join(into, file),
      result.code === 0 ? result.stdout : `kubectl ${args}: exit ${result.code}\n${result.stderr}`,
    );
    lines.push(
      `kubernetes/${file}: kubectl ${args}${result.code === 0 ? '' : ` (failed: exit ${result.code})`}`,
    );
  }
  return lines;
}

export async function exportLabLogs(
  state: LabState,
  dir: string,
  progress: (line: string) => void,
): Promise<LogsExport> {
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    progress(line);
  };
  await saveEvidence(state, dir);
  say(
    `serial consoles and guest events: ${state.vms.map((vm) => `${vm.name}.console.log ${vm.name}.events.log`).join(' ')}`,
  );
  for (const line of await Promise.all(state.vms.map((vm) => guestFiles(state, vm.name, join(dir, vm.name)))))
    say(line);
  for (const line of await clusterViews(state, join(dir, 'kubernetes'))) say(line);
  await writeFile(
    join(dir, 'index.txt'),
    `lab ${state.name} (overlays ${state.overlays.join(' ')}), logs taken ${new Date().toISOString()}\n${lines.join('\n')}\n`,
  );
  return { dir, lines };
}
