import { Readable } from "node:stream";
import type { CodePipelineClient } from "@aws-sdk/client-codepipeline";
import type { HttpResponse } from "@smithy/types";

/** CodePipeline's timestamp fields that emulators have been seen to send as ISO strings. */
const TIME_FIELDS = ["created", "updated", "startTime", "lastUpdateTime", "lastStatusChange", "lastChanged", "lastTriggeredAt"];
const ISO_TIME = new RegExp(`"(${TIME_FIELDS.join("|")})"(\\s*):(\\s*)"(\\d{4}-\\d{2}-\\d{2}T[^"]*)"`, "g");

/**
 * CodePipeline sends times as epoch seconds; moto (5.2.1) sends `created` / `updated` as ISO
 * strings, which the SDK's deserialiser refuses (`Expected real number, got implicit NaN`). This
 * rewrites an ISO time in those fields to epoch seconds before the SDK reads the body; an answer
 * in the real form passes unchanged. Returns the text unchanged when nothing matched.
 */
export function isoTimesToEpoch(json: string): string {
  return json.replace(ISO_TIME, (whole, key: string, before: string, after: string, value: string) => {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? `"${key}"${before}:${after}${ms / 1000}` : whole;
  });
}

/** Adds the rewrite to a CodePipeline client (its answers are small JSON documents, read whole). */
export function acceptIsoTimes(client: CodePipelineClient): CodePipelineClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponse;
      if (response.body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
        response.body = Readable.from([Buffer.from(isoTimesToEpoch(Buffer.concat(chunks).toString("utf8")))]);
      }
      return result;
    },
    { step: "deserialize", priority: "low", name: "acceptIsoTimes" },
  );
  return client;
}
