import { BadInputError } from "../../core/errors";
import type { AwsClientOptions } from "./clients";

/** The AWS connection flags every AWS-calling deployctl command takes. */
export interface AwsConnectionFlags {
  region?: string;
  endpointUrl?: string;
  maxAttempts: number;
  /** Per request, in milliseconds. */
  timeout: number;
}

/**
 * Client options from the flags, then `defaultRegion` (a manifest's), then the environment
 * (AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, the access keys). Bad values are bad input.
 */
export function awsConnection(flags: AwsConnectionFlags, env: NodeJS.ProcessEnv, defaultRegion?: string): AwsClientOptions {
  const region = flags.region || defaultRegion || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new BadInputError("No AWS region: give --region, or set AWS_REGION.");
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new BadInputError(`--region is "${region}"; it must be an AWS region such as us-east-1.`);
  }
  const endpoint = flags.endpointUrl || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    const source = flags.endpointUrl ? "--endpoint-url" : "AWS_ENDPOINT_URL";
    throw new BadInputError(`${source} is "${endpoint}"; it must be an http(s) URL such as http://127.0.0.1:5000.`);
  }
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
      : undefined;
  return { region, endpoint, maxAttempts: flags.maxAttempts, requestTimeoutMs: flags.timeout, credentials };
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}
