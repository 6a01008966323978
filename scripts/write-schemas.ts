// Regenerates the JSON Schemas the project publishes from their zod sources.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { manifestJsonSchema } from "../contract/manifest";

const root = join(__dirname, "..");
writeFileSync(join(root, "contract", "manifest.schema.json"), `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
