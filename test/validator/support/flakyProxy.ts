import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An AWS JSON-protocol error the proxy answers instead of forwarding. */
export interface InjectedError {
  status: number;
  type: string;
  message: string;
}

/** Decides, for the n-th request (1-based) of an operation, whether to fail it. */
export type FaultRule = (operation: string, n: number) => InjectedError | undefined;

export interface FlakyProxy {
  endpoint: string;
  /** Requests seen per operation (x-amz-target's action, or the query protocol's Action). */
  seen: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A local endpoint in front of moto that injects AWS errors (throttling, access denied) by
 * operation, so the SDK's real retry logic runs: aws-sdk-client-mock stubs `send` and skips it.
 */
export async function startFlakyProxy(target: string, rule: FaultRule): Promise<FlakyProxy> {
  const seen = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const operation = operationOf(req, body);
    const n = (seen.get(operation) ?? 0) + 1;
    seen.set(operation, n);
    const fault = rule(operation, n);
    if (fault) {
      res.writeHead(fault.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `fault-${n}` });
      res.end(JSON.stringify({ __type: fault.type, message: fault.message }));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k, v]) => k !== "host" && k !== "content-length" && typeof v === "string"),
    ) as Record<string, string>;
    const upstream = await fetch(`${target}${req.url ?? "/"}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
    const answer = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return target.slice(target.lastIndexOf(".") + 1);
  const action = new URLSearchParams(body.toString()).get("Action");
  return action ?? `${req.method} ${req.url}`;
}
