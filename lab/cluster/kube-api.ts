// The lab's Kubernetes API from the host, as the lab's admin, over the API server forward on
// 127.0.0.1: plain HTTPS requests on kept-alive connections. Under TCG a TLS handshake costs
// the API server ~2 s and kubectl makes several per process (discovery first), so lab and its
// scenarios talk to a cluster through this (lab/cluster/kube-client.ts adds the types).

import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { LabState } from '../lifecycle/state.js';
import { adminCredentials, apiServerPort } from './host-access.js';

export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

export interface KubeRequest {
  method?: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** For PATCH: merge-patch (default) or a strategic/JSON patch. */
  contentType?: string;
  timeoutMs?: number;
}

/** Where a client dials and who it is: what HTTPS requests and exec websockets both need. */
export interface KubeEndpoint {
  port: number;
  tls: { ca: string; cert: string; key: string };
}

export class KubeApi {
  readonly #agent: Agent;
  /** Requests, watches and execs so far: what a scenario step cost the API server. */
  calls = 0;

  constructor(readonly endpoint: KubeEndpoint) {
    // Connections are kept: each new one costs a TLS handshake. Two, so that a watch (which
    // holds its connection until it ends) does not stall the requests made meanwhile.
    this.#agent = new Agent({ keepAlive: true, maxSockets: 2, ...endpoint.tls });
  }

  /** As the lab's admin, through its API server forward. */
  static async forLab(state: LabState): Promise<KubeApi> {
    return new KubeApi({ port: await apiServerPort(state), tls: await adminCredentials(state) });
  }

  request<T>(req: KubeRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const timeoutMs = req.timeoutMs ?? 30_000;
    this.calls += 1;
    return new Promise<T>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: this.endpoint.port,
          path: req.path,
          method,
          agent: this.#agent,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            ...(body === undefined
              ? {}
              : {
                  'content-type': req.contentType ?? 'application/merge-patch+json',
                  'content-length': Buffer.byteLength(body),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve(JSON.parse(text) as T);
              } catch (err) {
                reject(
                  new KubeApiError(`${method} ${req.path}: the answer is not JSON`, status, { cause: err }),
                );
              }
              return;
            }
            reject(new KubeApiError(`${method} ${req.path}: ${status} ${statusMessage(text)}`, status));
          });
        },
      );
      call.on('timeout', () =>
        call.destroy(new KubeApiError(`${method} ${req.path}: no answer within ${timeoutMs} ms`)),
      );
      call.on('error', (err) =>
        reject(
          err instanceof KubeApiError
            ? err
            : new KubeApiError(`${method} ${req.path}: ${err.message}`, undefined, { cause: err }),
        ),
      );
      call.end(body);
    });
  }

  /**
   * GET a streaming answer (a watch): calls onLine with each line until the server ends it,
   * `signal` aborts, or onLine returns true (then the connection is dropped, not reused).
   */
  stream(path: string, onLine: (line: string) => boolean, signal: AbortSignal): Promise<void> {
    this.calls += 1;
    return new Promise<void>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: this.endpoint.port,
          path,
          agent: this.#agent,
          signal,
          headers: { accept: 'application/json' },
        },
        (res: IncomingMessage) => {
          if ((res.statusCode ?? 0) >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              reject(
                new KubeApiError(
                  `GET ${path}: ${res.statusCode} ${statusMessage(Buffer.concat(chunks).toString('utf8'))}`,
                  res.statusCode,
                ),
              ),
            );
            return;
          }
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
              const line = pending.slice(0, nl).trim();
              pending = pending.slice(nl + 1);
              if (line !== '' && onLine(line)) {
                res.destroy();
                resolve();
                return;
              }
            }
          });
          res.on('end', () => resolve());
          res.on('error', reject);
        },
      );
      call.on('error', (err) =>
        reject(
          signal.aborted
            ? signal.reason
            : new KubeApiError(`GET ${path}: ${err.message}`, undefined, { cause: err }),
        ),
      );
      call.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The message of a Kubernetes Status answer, else the answer's text. */
function statusMessage(text: string): string {
  try {
    return ((JSON.parse(text) as { message?: string }).message ?? text).trim();
  } catch {
    return text.trim();
  }
}
