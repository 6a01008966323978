import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { RecordStoreError } from "./errors";
import { safeName } from "./localStore";
import { redact, type SecretRegistry } from "../core/redact";
import { sortNewestFirst } from "./stats";
import type { RecordStore, RunRecord } from "./types";

/** How many records are fetched at once when listing. */
const READ_CONCURRENCY = 8;

/**
 * Run records in S3 (cloud stacks): `<prefix>/runs/<runId>.json`, state documents under
 * `<prefix>/state/`. Each record is one PutObject of the whole (redacted) document: S3 never
 * exposes a partly written object, so a killed run leaves the record whole or absent.
 * Statistics are derived by listing the records (runStats), never kept in a mutable counter.
 */
export class S3RecordStore implements RecordStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    prefix: string,
    private readonly secrets?: SecretRegistry,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, "");
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  async put(record: RunRecord): Promise<string> {
    const key = `${this.prefix}/runs/${safeName(record.runId)}.json`;
    await this.putJson(key, redact(record, this.secrets?.values()));
    return `s3://${this.bucket}/${key}`;
  }

  async list(options: { limit?: number } = {}): Promise<RunRecord[]> {
    const keys = await this.listKeys(`${this.prefix}/runs/`);
    // Run ids start with their UTC start time, so the key order is the time order.
    const newest = keys.sort().reverse();
    const wanted = options.limit === undefined ? newest : newest.slice(0, options.limit);
    const records: RunRecord[] = [];
    for (let i = 0; i < wanted.length; i += READ_CONCURRENCY) {
      const batch = await Promise.all(wanted.slice(i, i + READ_CONCURRENCY).map((key) => this.getJson<RunRecord>(key)));
      for (const record of batch) if (record !== undefined) records.push(record);
    }
    return sortNewestFirst(records);
  }

  redact<T>(value: T): T {
    return redact(value, this.secrets?.values());
  }

  async readState(name: string): Promise<unknown> {
    return this.getJson(`${this.prefix}/state/${safeName(name)}.json`);
  }

  async writeState(name: string, value: unknown): Promise<void> {
    await this.putJson(`${this.prefix}/state/${safeName(name)}.json`, redact(value, this.secrets?.values()));
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: `${JSON.stringify(value, null, 2)}\n`,
          ContentType: "application/json",
        }),
      );
    } catch (err) {
      throw new RecordStoreError(`cannot write s3://${this.bucket}/${key}: ${describe(err)}`, { cause: err });
    }
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await out.Body?.transformToString("utf8")) ?? "";
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey") return undefined;
      throw new RecordStoreError(`cannot read s3://${this.bucket}/${key}: ${describe(err)}`, { cause: err });
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new RecordStoreError(`s3://${this.bucket}/${key} is not valid JSON: ${describe(err)}`, { cause: err });
    }
  }

  private async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key?.endsWith(".json")) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw new RecordStoreError(`cannot list s3://${this.bucket}/${prefix}: ${describe(err)}`, { cause: err });
    }
    return keys;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
