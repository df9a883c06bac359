// The lab's Kubernetes API from the host, as the lab's admin, over the API server forward on
// 127.0.0.1: plain HTTPS requests on one kept-alive connection. Under TCG a TLS handshake
// costs the API server ~2 s and kubectl makes several (discovery first), so code that talks
// to a lab's cluster often (readiness after a restore) uses this instead of a kubectl process.
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

export class KubeApi {
  readonly #agent: Agent;

  private constructor(
    private readonly port: number,
    tls: { ca: string; cert: string; key: string },
  ) {
    // One connection, kept: a second TLS handshake would cost as much as the first.
    this.#agent = new Agent({ keepAlive: true, maxSockets: 1, ...tls });
  }

  /** As the lab's admin, through its API server forward. */
  static async forLab(state: LabState): Promise<KubeApi> {
    return new KubeApi(await apiServerPort(state), await adminCredentials(state));
  }

  request<T>(req: KubeRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const timeoutMs = req.timeoutMs ?? 30_000;
    return new Promise<T>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: this.port,
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
            const message = (() => {
              try {
                return (JSON.parse(text) as { message?: string }).message ?? text;
              } catch {
                return text;
              }
            })();
            reject(new KubeApiError(`${method} ${req.path}: ${status} ${message.trim()}`, status));
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

  close(): void {
    this.#agent.destroy();
  }
}
