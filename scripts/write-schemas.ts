// Regenerates the JSON Schemas the project publishes from their zod sources.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { manifestJsonSchema } from "../contract/manifest";
import { outputJsonSchemas } from "../validators/render/outputSchemas";

const root = join(__dirname, "..");
writeFileSync(join(root, "contract", "manifest.schema.json"), `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);

// The documents deployctl prints with --output json, one schema per file, beside the manifest's.
mkdirSync(join(root, "contract", "outputs"), { recursive: true });
for (const [file, schema] of Object.entries(outputJsonSchemas())) {
  writeFileSync(join(root, "contract", "outputs", file), `${JSON.stringify(schema, null, 2)}\n`);
}
