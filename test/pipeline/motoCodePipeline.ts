import { Readable } from "node:stream";
import { CodePipelineClient, type CodePipelineClientConfig } from "@aws-sdk/client-codepipeline";
import type { HttpResponse } from "@smithy/types";
import { MOTO_CREDENTIALS } from "../support/moto";

/**
 * moto 5.2.1 writes a pipeline's `created` / `updated` times (GetPipeline metadata, ListPipelines)
 * as ISO strings where CodePipeline sends epoch seconds, and the SDK refuses them. This client
 * rewrites those two fields in moto's raw responses before the SDK reads them; nothing else changes.
 */
export function motoCodePipelineClient(endpoint: string, config: Partial<CodePipelineClientConfig> = {}): CodePipelineClient {
  const client = new CodePipelineClient({ region: "us-east-1", endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1, ...config });
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponse;
      if (response.body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
        const text = Buffer.concat(chunks)
          .toString("utf8")
          .replace(/"(created|updated)": ?"([^"]+)"/g, (_m, key: string, value: string) => `"${key}": ${Date.parse(value) / 1000}`);
        response.body = Readable.from([Buffer.from(text)]);
      }
      return result;
    },
    { step: "deserialize", priority: "low", name: "motoEpochTimes" },
  );
  return client;
}

/** Creates, in moto's IAM, a role CodePipeline may assume (moto checks it on CreatePipeline); returns its ARN. */
export async function createPipelineRole(endpoint: string, name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: "CreateRole",
    Version: "2010-05-08",
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "codepipeline.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const res = await fetch(endpoint, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      // moto routes query-protocol calls by the credential scope; it does not check the signature.
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
    },
  });
  const text = await res.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!res.ok || !arn) throw new Error(`moto CreateRole answered ${res.status}: ${text.slice(0, 300)}`);
  return arn;
}
