/**
 * A small Kubernetes API server on loopback for the client's tests: it holds Deployments,
 * ReplicaSets, Pods (typed with the client's own models), ConfigMaps and Leases, answers the calls
 * deployctl makes as the API server does (lists with label selectors, JSON and merge patches, 404 and 409 as
 * Status objects), enforces resourceVersion on updates and MicroTime's six fractional digits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1Lease,
  type V1Pod,
  type V1PodTemplateSpec,
  type V1ReplicaSet,
} from "@kubernetes/client-node";

type Kind = "deployments" | "replicasets" | "pods" | "configmaps" | "leases";
type Stored = V1Deployment | V1ReplicaSet | V1Pod | V1ConfigMap | V1Lease;

export interface FakeKubeApi {
  url: string;
  kubeConfig: KubeConfig;
  /** Puts an object (by its kind, namespace and name), as a controller would. */
  put(kind: Kind, object: Stored): void;
  get<T extends Stored>(kind: Kind, namespace: string, name: string): T | undefined;
  /** Log text per pod name. */
  logs: Map<string, string>;
  /** Every request: method, path with query. */
  requests: string[];
  /**
   * Called after a Deployment's template was patched (a rollback, a restart), as the deployment controller
   * would react: a test sets it to roll the new template out (or to hold it, or to fail it).
   */
  onDeploymentPatched?: (deployment: V1Deployment) => void | Promise<void>;
  close(): Promise<void>;
}

const MICROTIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code }));
}

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [k, v] = term.split("=");
    return labels?.[k] === v;
  });
}

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const store = new Map<string, Stored>();
  const logs = new Map<string, string>();
  const requests: string[] = [];
  let version = 100;
  const key = (kind: Kind, ns: string, name: string) => `${kind}/${ns}/${name}`;
  const bump = (o: Stored) => {
    version += 1;
    o.metadata = { ...o.metadata, resourceVersion: String(version) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const m =
      /^\/(?:api\/v1|apis\/[^/]+\/v1)\/namespaces\/([^/]+)\/(deployments|replicasets|pods|configmaps|leases)(?:\/([^/]+))?(\/log)?$/.exec(
        url.pathname,
      );
    if (!m) return status(res, 404, "NotFound", `no route ${url.pathname}`);
    const [, ns, kind, name, log] = m as unknown as [string, string, Kind, string | undefined, string | undefined];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Stored & Record<string, unknown>) : undefined;
    const existing = name ? store.get(key(kind, ns, name)) : undefined;

    if (log && name) {
      const text = logs.get(name);
      if (text === undefined) return status(res, 404, "NotFound", `pods "${name}" not found`);
      const tail = Number(url.searchParams.get("tailLines") ?? "0");
      const lines = text.split("\n");
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(tail > 0 ? lines.slice(-tail).join("\n") : text);
    }
    if (req.method === "GET" && !name) {
      const items = [...store.entries()]
        .filter(([k]) => k.startsWith(`${kind}/${ns}/`))
        .map(([, o]) => o)
        .filter((o) => matches(o.metadata?.labels, url.searchParams.get("labelSelector")));
      return send(res, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: String(version) }, items });
    }
    if (req.method === "GET") return existing ? send(res, existing) : status(res, 404, "NotFound", `${kind} "${name}" not found`);

    if (kind === "leases" && body && (req.method === "POST" || req.method === "PUT")) {
      const spec = (body as V1Lease).spec as Record<string, unknown> | undefined;
      for (const field of ["acquireTime", "renewTime"]) {
        const v = spec?.[field];
        if (v !== undefined && (typeof v !== "string" || !MICROTIME.test(v)))
          return status(
            res,
            400,
            "BadRequest",
            `Lease in version "v1" cannot be handled as a Lease: ${field}: ${String(v)} is not a MicroTime`,
          );
      }
    }
    if (req.method === "POST" && body) {
      const id = key(kind, ns, body.metadata?.name ?? "");
      if (store.has(id)) return status(res, 409, "AlreadyExists", `${kind} "${body.metadata?.name}" already exists`);
      bump(body);
      store.set(id, body);
      return send(res, body);
    }
    if (!existing || !name) return status(res, 404, "NotFound", `${kind} "${name}" not found`);
    if (req.method === "PUT" && body) {
      if (body.metadata?.resourceVersion !== existing.metadata?.resourceVersion)
        return status(res, 409, "Conflict", `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified`);
      bump(body);
      store.set(key(kind, ns, name), body);
      return send(res, body);
    }
    if (req.method === "DELETE") {
      const pre = (body as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
      if (pre && pre !== existing.metadata?.resourceVersion) return status(res, 409, "Conflict", "precondition failed");
      store.delete(key(kind, ns, name));
      return send(res, { kind: "Status", apiVersion: "v1", status: "Success" });
    }
    if (req.method === "PATCH" && kind === "deployments" && Array.isArray(body)) {
      if (req.headers["content-type"] !== "application/json-patch+json") return status(res, 415, "UnsupportedMediaType", "json-patch only");
      const d = structuredClone(existing) as V1Deployment;
      for (const op of body as { op: string; path: string; value: unknown }[]) {
        if (op.op !== "replace" || op.path !== "/spec/template")
          return status(res, 422, "Invalid", `unsupported patch ${op.op} ${op.path}`);
        if (d.spec) d.spec.template = op.value as V1PodTemplateSpec;
      }
      d.metadata = { ...d.metadata, generation: (d.metadata?.generation ?? 0) + 1 };
      bump(d);
      store.set(key(kind, ns, name), d);
      await api.onDeploymentPatched?.(structuredClone(d));
      return send(res, d);
    }
    if (req.method === "PATCH" && kind === "deployments" && body && !Array.isArray(body)) {
      // A merge patch (RFC 7386), as `kubectl rollout restart` sends to set the restartedAt annotation.
      if (req.headers["content-type"] !== "application/merge-patch+json")
        return status(res, 415, "UnsupportedMediaType", "json-patch or merge-patch only");
      const d = mergePatch(structuredClone(existing), body) as V1Deployment;
      if (JSON.stringify(d.spec) !== JSON.stringify((existing as V1Deployment).spec))
        d.metadata = { ...d.metadata, generation: (d.metadata?.generation ?? 0) + 1 };
      bump(d);
      store.set(key(kind, ns, name), d);
      await api.onDeploymentPatched?.(structuredClone(d));
      return send(res, d);
    }
    return status(res, 405, "MethodNotAllowed", `${req.method} ${url.pathname}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => status(res, 500, "InternalError", String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "fake", server: url, skipTLSVerify: true }],
    users: [{ name: "tester", token: "t0ken" }],
    contexts: [
      { name: "staging", cluster: "fake", user: "tester" },
      { name: "other", cluster: "fake", user: "tester" },
    ],
    currentContext: "other",
  });
  const api: FakeKubeApi = {
    url,
    kubeConfig,
    logs,
    requests,
    put: (kind, object) => {
      bump(object);
      store.set(key(kind, object.metadata?.namespace ?? "", object.metadata?.name ?? ""), structuredClone(object));
    },
    get: <T extends Stored>(kind: Kind, namespace: string, name: string) => store.get(key(kind, namespace, name)) as T | undefined,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
