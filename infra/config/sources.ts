import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import type { RawStackConfig } from "./types";

/** The stack file reader (no Pulumi runtime needed): infra/config/stackFile.ts. */
export { readStackFile, stackConfigFromText } from "./stackFile";

/** Reads the running Pulumi program's config (`pulumi up`, `preview`, or mocks with setAllConfig). */
export function readPulumiConfig(): RawStackConfig {
  const all = pulumi.runtime.allConfig();
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) values[key] = parseConfigText(text);
  const stack = pulumi.getStack();
  return {
    project: pulumi.getProject(),
    stack,
    file: `Pulumi.${stack}.yaml`,
    values,
    // Pulumi marks whole top-level keys secret (a secure value anywhere inside makes the key secret).
    isSecret: (path) => isConfigSecret(topKey(path)),
  };
}

/** Pulumi's own check (internal to @pulumi/pulumi, present since 3.x and stable in practice). */
function isConfigSecret(key: string): boolean {
  const fn = (runtimeConfig as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (!fn) throw new Error("@pulumi/pulumi no longer exports runtime/config.isConfigSecret: update readPulumiConfig");
  return fn(key);
}

function topKey(path: string): string {
  const m = /^[^.[]+/.exec(path);
  return m ? m[0] : path;
}

function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
