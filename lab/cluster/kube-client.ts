// The typed Kubernetes client lab and its scenarios use: get, list, server-side apply, delete,
// waits that watch instead of polling, and exec into a pod, all over one KubeApi (kept-alive
// HTTPS through the lab's API server forward). Answers are checked by zod schemas
// (lab/cluster/kube-types.ts). Resource paths come from the API server's discovery, once per
// API group version, so any kind a manifest names (a NAD, a DaemonSet) can be applied.
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { fieldPath } from '../topology/issues.js';
import { LabError } from '../util/errors.js';
import type { ExecResult } from '../util/exec-result.js';
import { type KubeApi, KubeApiError } from './kube-api.js';
import { execInPod } from './kube-exec.js';
import { KubeObject, type ResourceType } from './kube-types.js';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WaitOptions {
  /** Names what is awaited in the timeout error. */
  what: string;
  timeoutMs: number;
}

export class KubeWaitTimeout extends Error {
  constructor(what: string, timeoutMs: number, lastSeen: string) {
    super(`${what}: not within ${Math.round(timeoutMs / 1000)} s (last seen: ${lastSeen})`);
    this.name = 'KubeWaitTimeout';
  }
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** The path of a resource type's collection, or of one object in it. */
export function resourcePath(
  apiVersion: string,
  resource: ApiResource,
  namespace: string | undefined,
  name?: string,
): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${resource.name}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** The objects of a manifest text (YAML or JSON, several documents, `kind: List` unfolded). */
export function manifestObjects(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  // YAML 1.1, as Kubernetes reads manifests (0744 is octal there).
  parseAllDocuments(text, { version: '1.1' }).forEach((doc, i) => {
    if ('errors' in doc && doc.errors.length > 0)
      throw new LabError(`manifest document ${i + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items = (value as { kind?: string; items?: unknown[] }).kind?.endsWith('List')
      ? ((value as { items?: unknown[] }).items ?? [])
      : [value];
    for (const item of items) {
      const parsed = KubeObject.safeParse(item);
      if (!parsed.success) throw new LabError(`manifest document ${i + 1}: ${describeIssues(parsed.error)}`);
      objects.push(parsed.data);
    }
  });
  return objects;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number };
}

export class KubeClient {
  #api: Promise<KubeApi> | undefined;
  readonly #discovered = new Map<string, Promise<Map<string, ApiResource>>>();

  /** `connect` is called once, at the first request: a lab without Kubernetes never dials. */
  constructor(private readonly connect: () => Promise<KubeApi>) {}

  /** Requests, watches and execs so far. */
  async calls(): Promise<number> {
    return this.#api ? (await this.#api).calls : 0;
  }

  #connection(): Promise<KubeApi> {
    this.#api ??= this.connect();
    return this.#api;
  }

  async #resource(type: ResourceType): Promise<ApiResource> {
    let resources = this.#discovered.get(type.apiVersion);
    if (!resources) {
      resources = this.#discover(type.apiVersion);
      this.#discovered.set(type.apiVersion, resources);
      // A failed discovery (the CRD not there yet) is asked again next time.
      resources.catch(() => this.#discovered.delete(type.apiVersion));
    }
    const resource = (await resources).get(type.kind);
    if (!resource) throw new KubeApiError(`the API server serves no ${type.kind} in ${type.apiVersion}`, 404);
    return resource;
  }

  async #discover(apiVersion: string): Promise<Map<string, ApiResource>> {
    const api = await this.#connection();
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await api.request<{ resources: ApiResource[] }>({ path: root });
    // Subresources (pods/exec, pods/log) share their parent's kind.
    return new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, r]));
  }

  async #path(type: ResourceType, namespace: string | undefined, name?: string): Promise<string> {
    return resourcePath(type.apiVersion, await this.#resource(type), namespace ?? 'default', name);
  }

  /** One object, or undefined when there is none of that name. */
  async get<S extends z.ZodType>(
    schema: S,
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<z.infer<S> | undefined> {
    const api = await this.#connection();
    const path = await this.#path(type, namespace, name);
    const answer = await orIfMissing(api.request<unknown>({ path }), undefined);
    return answer === undefined ? undefined : parseAnswer(schema, answer, `GET ${path}`);
  }

  async list<S extends z.ZodType>(
    schema: S,
    type: ResourceType,
    query: ListQuery = {},
  ): Promise<z.infer<S>[]> {
    const { items } = await this.#list(schema, type, query);
    return items;
  }

  async #list<S extends z.ZodType>(
    schema: S,
    type: ResourceType,
    query: ListQuery,
  ): Promise<{ items: z.infer<S>[]; resourceVersion: string; path: string }> {
    const api = await this.#connection();
    const path = `${await this.#path(type, query.namespace)}${selectorQuery(query)}`;
    const list = await api.request<{ metadata: { resourceVersion: string }; items: unknown[] }>({ path });
    return {
      // The API server leaves apiVersion and kind out of a built-in type's items: put them back,
      // so an item reads as the object `get` gives.
      items: list.items.map((item) =>
        parseAnswer(
          schema,
          { apiVersion: type.apiVersion, kind: type.kind, ...(item as object) },
          `GET ${path}`,
        ),
      ),
      resourceVersion: list.metadata.resourceVersion,
      path,
    };
  }

  /** Server-side apply: creates or updates `object` as field manager "lab". */
  async apply(object: KubeObject): Promise<KubeObject> {
    const api = await this.#connection();
    const path = await this.#path(object, object.metadata.namespace, object.metadata.name);
    const answer = await api.request<unknown>({
      method: 'PATCH',
      path: `${path}?fieldManager=lab&force=true`,
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
    return parseAnswer(KubeObject, answer, `PATCH ${path}`);
  }

  /** Deletes one object; true when it was there. */
  async delete(type: ResourceType, name: string, namespace?: string): Promise<boolean> {
    const api = await this.#connection();
    const path = await this.#path(type, namespace, name);
    return orIfMissing(
      api.request<unknown>({ method: 'DELETE', path }).then(() => true),
      false,
    );
  }

  /**
   * Resolves with the list once `done(items)` holds: one list, then a watch from its
   * resourceVersion that keeps the items current, so nothing is polled. Re-lists when the
   * watch ends or its version is too old.
   */
  async waitFor<S extends z.ZodType>(
    schema: S,
    type: ResourceType,
    query: ListQuery,
    done: (items: z.infer<S>[]) => boolean,
    opts: WaitOptions & { describe?: (items: z.infer<S>[]) => string },
  ): Promise<z.infer<S>[]> {
    const api = await this.#connection();
    const deadline = Date.now() + opts.timeoutMs;
    const describe = opts.describe ?? ((items) => `${items.length} ${type.kind}`);
    let last: z.infer<S>[] = [];
    while (Date.now() < deadline) {
      const listed = await this.#list(schema, type, query);
      const byName = new Map(listed.items.map((item) => [nameOf(item), item]));
      last = [...byName.values()];
      if (done(last)) return last;
      const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
      const watch = `${listed.path}${listed.path.includes('?') ? '&' : '?'}watch=1&resourceVersion=${listed.resourceVersion}&timeoutSeconds=${left}`;
      let satisfied = false;
      const watchStarted = Date.now();
      await api
        .stream(
          watch,
          (line) => {
            const event = JSON.parse(line) as WatchEvent;
            if (event.type === 'ERROR') return true; // e.g. 410 Gone: list again
            if (event.type === 'BOOKMARK') return false;
            const item = parseAnswer(schema, event.object, `GET ${watch}`);
            if (event.type === 'DELETED') byName.delete(nameOf(item));
            else byName.set(nameOf(item), item);
            last = [...byName.values()];
            satisfied = done(last);
            return satisfied;
          },
          AbortSignal.timeout(left * 1000 + 5000),
        )
        .catch((err: unknown) => {
          // The watch's own time ran out: the loop decides whether time is left.
          if (!(err instanceof Error && err.name === 'TimeoutError')) throw err;
        });
      if (satisfied) return last;
      // A watch the server ended at once (restarting, or an error event): no tight loop.
      const early = 1000 - (Date.now() - watchStarted);
      if (early > 0 && Date.now() + early < deadline) await new Promise((r) => setTimeout(r, early));
    }
    throw new KubeWaitTimeout(opts.what, opts.timeoutMs, describe(last));
  }

  /** Runs `command` (a word list, no shell) in a pod's container; never throws on a non-zero exit. */
  async exec(
    pod: string,
    command: readonly string[],
    opts: { namespace?: string; container?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const api = await this.#connection();
    api.calls += 1;
    return execInPod(api.endpoint, { namespace: opts.namespace ?? 'default', pod, command, ...opts });
  }

  async close(): Promise<void> {
    if (this.#api) (await this.#api.catch(() => undefined))?.close();
  }
}

function selectorQuery(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.labelSelector) params.set('labelSelector', query.labelSelector);
  if (query.fieldSelector) params.set('fieldSelector', query.fieldSelector);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function nameOf(item: unknown): string {
  const meta = (item as { metadata?: { namespace?: string; name?: string } }).metadata;
  return `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** An answer that does not fit the schema names the request and the field. */
function parseAnswer<S extends z.ZodType>(schema: S, value: unknown, request: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new KubeApiError(`${request}: unexpected answer: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((e) => `${fieldPath(e.path) || '(top level)'}: ${e.message}`).join('; ');
}

/** `call`'s answer, or `absent` when the object is not there (404): get and delete both ask. */
async function orIfMissing<T, A>(call: Promise<T>, absent: A): Promise<T | A> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return absent;
    throw err;
  }
}
