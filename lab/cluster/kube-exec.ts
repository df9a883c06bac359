// A command in a pod's container through the API server's exec websocket (the protocol
// kubectl ≥ 1.31 speaks): every binary message starts with its channel (1 stdout, 2 stderr,
// 3 the final Status, which carries the exit code). Its arguments go as a list, never
// through a shell on the host, so nothing needs quoting twice.
import WebSocket from 'ws';
import type { ExecResult } from '../util/exec-result.js';
import { KubeApiError, type KubeEndpoint } from './kube-api.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

export interface PodExec {
  namespace: string;
  pod: string;
  command: readonly string[];
  container?: string;
  timeoutMs?: number;
}

export function execPath({ namespace, pod, command, container }: PodExec): string {
  const query = new URLSearchParams();
  for (const word of command) query.append('command', word);
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  if (container) query.set('container', container);
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query}`;
}

interface Status {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

/**
 * The exit code the final Status message reports. A command that ran and failed is an exit
 * code; a command that could not run (no such pod, container, or program) is an error.
 */
export function exitCodeOf(statusText: string, what: string): number {
  let status: Status;
  try {
    status = JSON.parse(statusText) as Status;
  } catch (err) {
    throw new KubeApiError(`${what}: the exec status is not JSON: ${statusText}`, undefined, { cause: err });
  }
  if (status.status === 'Success') return 0;
  const exit = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && exit !== undefined && /^\d+$/.test(exit)) return Number(exit);
  throw new KubeApiError(`${what}: ${status.message ?? statusText}`);
}

export function execInPod(endpoint: KubeEndpoint, exec: PodExec): Promise<ExecResult> {
  const what = `exec in ${exec.namespace}/${exec.pod}: ${exec.command.join(' ')}`;
  const timeoutMs = exec.timeoutMs ?? 120_000;
  return new Promise<ExecResult>((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${endpoint.port}${execPath(exec)}`, PROTOCOLS, {
      ...endpoint.tls,
      handshakeTimeout: timeoutMs,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let statusText: string | undefined;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new KubeApiError(`${what}: no end within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? data : Buffer.from(data);
      const channel = frame[0];
      const payload = frame.subarray(1);
      if (channel === STDOUT) stdout.push(payload);
      else if (channel === STDERR) stderr.push(payload);
      else if (channel === STATUS) statusText = (statusText ?? '') + payload.toString('utf8');
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        reject(
          new KubeApiError(
            `${what}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').trim()}`,
            res.statusCode,
          ),
        ),
      );
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new KubeApiError(`${what}: ${err.message}`, undefined, { cause: err }));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      try {
        // Without a Status the stream ended early: the API server or kubelet went away.
        if (statusText === undefined)
          throw new KubeApiError(`${what}: the stream ended without an exit status`);
        resolve({
          code: exitCodeOf(statusText, what),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      } catch (err) {
        reject(err);
      }
    });
  });
}
