// The cluster from the host: a kubeconfig for the lab's admin that dials the API server
// through the lab's host forward, and the kubectl of the lab's own Kubernetes artifact.
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { readForward } from '../hostnet/forward.js';
import type { LabState } from '../lifecycle/state.js';
import { LabError } from '../util/errors.js';
import type { ExecResult } from '../util/exec-result.js';
import { isOurProcess } from '../vm/process.js';
import { PKI_DIR } from './certs.js';
import { kubeconfig } from './kubeconfig.js';

/** The host forward overlays/k8s declares for the API server. */
export const APISERVER_FORWARD = 'apiserver';

export const hostKubeconfigPath = (state: LabState) => join(state.dir, 'kubeconfig');

/** The host port of the lab's API server forward; an error that says how to get one if none runs. */
export async function apiServerPort(state: LabState): Promise<number> {
  const forward = await readForward(state.dir, APISERVER_FORWARD);
  if (!forward || !(await isOurProcess(forward.pid, state.dir)))
    throw new LabError(
      `lab "${state.name}" has no API server forward running`,
      state.overlays.includes('k8s')
        ? `restart the lab: lab stop --name ${state.name} && lab start ${state.overlays.join(' ')}`
        : 'only labs with the k8s overlay have one (e.g. lab start xcluster-cni)',
    );
  return forward.port;
}

/** The lab's CA and its admin's certificate and key (PEM), from the lab's PKI. */
export async function adminCredentials(state: LabState): Promise<{ ca: string; cert: string; key: string }> {
  const read = (file: string) => readFile(join(state.dir, PKI_DIR, file), 'utf8');
  return { ca: await read('ca.crt'), cert: await read('admin.crt'), key: await read('admin.key') };
}

/** Writes (mode 600) and returns the path of the host kubeconfig of the lab's admin. */
export async function writeHostKubeconfig(state: LabState): Promise<string> {
  const port = await apiServerPort(state);
  const admin = await adminCredentials(state);
  const text = kubeconfig({
    cluster: `lab-${state.name}`,
    // 127.0.0.1 is among the API server certificate's SANs.
    server: `https://127.0.0.1:${port}`,
    caPem: admin.ca,
    user: 'lab-admin',
    certPem: admin.cert,
    keyPem: admin.key,
  });
  const path = hostKubeconfigPath(state);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/** The lab's kubectl binary on the host, when its Kubernetes artifact is in the cache. */
async function hostKubectlBinary(state: LabState): Promise<string | undefined> {
  const dir = state.artifacts?.kubernetes;
  if (!dir) return undefined;
  const path = join(dir, 'kubectl');
  return access(path).then(
    () => path,
    () => undefined,
  );
}

/** kubectl on the host and its kubeconfig, when both are there (else run kubectl in vm-001). */
export async function hostKubectl(state: LabState): Promise<{ kubectl: string; config: string } | undefined> {
  const kubectl = await hostKubectlBinary(state);
  const config = kubectl ? await writeHostKubeconfig(state).catch(() => undefined) : undefined;
  return kubectl && config ? { kubectl, config } : undefined;
}

export type KubectlResult = ExecResult;

export type KubectlRunner = (
  args: string,
  opts?: { input?: string; timeoutMs?: number },
) => Promise<KubectlResult>;

/**
 * kubectl for a lab, `args` being a shell word list: the lab's kubectl on the host through
 * the API server forward when both exist, else `onControlPlane` (kubectl run inside vm-001).
 */
export async function kubectlRunner(
  state: LabState,
  onControlPlane: (command: string, opts?: { input?: string; timeoutMs?: number }) => Promise<KubectlResult>,
): Promise<KubectlRunner> {
  const host = await hostKubectl(state);
  if (!host)
    return (args, opts) =>
      onControlPlane(`kubectl --kubeconfig /etc/kubernetes/admin.kubeconfig ${args}`, opts);
  return async (args, opts = {}) => {
    const run = await execa('sh', ['-c', `exec "$LAB_KUBECTL" ${args}`], {
      env: { ...process.env, LAB_KUBECTL: host.kubectl, KUBECONFIG: host.config },
      input: opts.input ?? '',
      timeout: opts.timeoutMs ?? 120_000,
      reject: false,
    });
    const timedOut = run.timedOut
      ? `\nkubectl ${args}: no answer within ${opts.timeoutMs ?? 120_000} ms`
      : '';
    return { code: run.exitCode ?? 124, stdout: run.stdout, stderr: `${run.stderr}${timedOut}` };
  };
}
