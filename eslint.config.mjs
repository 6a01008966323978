import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * Layers, one direction (docs/architecture.md):
 *   cli -> workflows -> domain -> providers -> core -> contract
 *   infra -> contract; policy -> contract; contract imports nothing of the project.
 * Each layer lists what it may NOT import; `import-x/no-restricted-paths` rejects a wrong-way import.
 */
const DOMAIN = [
  "alerts",
  "analysis",
  "canary",
  "checks",
  "gate",
  "lock",
  "pipeline",
  "promote",
  "records",
  "release",
  "render",
  "rollback",
  "stackfile",
  "validate",
];
const OUTSIDE = ["bench", "test", "scripts"];
const v = (folders) => folders.map((f) => `validators/${f}`);

const LAYERS = {
  contract: { files: ["contract/**/*.ts"], forbid: ["validators", "infra", "policy", ...OUTSIDE] },
  infra: { files: ["infra/**/*.ts"], forbid: ["validators", "policy", ...OUTSIDE] },
  policy: { files: ["policy/**/*.ts"], forbid: ["validators", "infra", ...OUTSIDE] },
  core: { files: ["validators/core/**/*.ts"], forbid: [...v([...DOMAIN, "providers", "workflows", "cli"]), "infra", "policy", ...OUTSIDE] },
  providers: { files: ["validators/providers/**/*.ts"], forbid: [...v([...DOMAIN, "workflows", "cli"]), "infra", "policy", ...OUTSIDE] },
  domain: { files: DOMAIN.map((d) => `validators/${d}/**/*.ts`), forbid: [...v(["workflows", "cli"]), "infra", "policy", ...OUTSIDE] },
  workflows: { files: ["validators/workflows/**/*.ts"], forbid: [...v(["cli"]), "infra", "policy", ...OUTSIDE] },
  cli: { files: ["validators/cli/**/*.ts"], forbid: ["infra", "policy", ...OUTSIDE] },
};

/** The few files allowed past their layer's limit, each with its reason. Keep this list short. */
const EXCEPTIONS = [
  {
    layer: "cli",
    files: ["validators/cli/commands/synth.ts"],
    allow: ["infra/config", "infra/synth"],
    reason: "the synth command renders the Pulumi program",
  },
  {
    layer: "domain",
    files: ["validators/promote/drift.ts", "validators/promote/normalise.ts"],
    allow: ["infra/config", "infra/synth"],
    reason: "promote's drift view renders both stacks offline",
  },
  {
    layer: "domain",
    files: ["validators/promote/plan.ts"],
    allow: ["infra/components/lib"],
    reason: "repository naming, a contract still owned by infra",
  },
  {
    layer: "workflows",
    files: ["validators/workflows/promote.ts"],
    allow: ["infra/config"],
    reason: "promote reads both stacks' config with the program's parser",
  },
  {
    layer: "workflows",
    files: ["validators/workflows/setEnv.ts"],
    allow: ["infra/config"],
    reason: "config set-env checks the edited stack file with the program's config check before writing it",
  },
  { layer: "infra", files: ["infra/synth/policy.ts"], allow: ["policy"], reason: "synth evaluates the policy pack" },
  {
    layer: "infra",
    files: ["infra/synth/synth.ts"],
    allow: ["validators/stackfile"],
    reason: "the one atomic write (to move to contract or core)",
  },
  {
    layer: "policy",
    files: ["policy/writeConfig.ts"],
    allow: ["infra/config"],
    reason: "the policy config is written from the stack config the program parses",
  },
];

/** The rule's zones for one layer, minus what an exception allows (a sub-folder of a forbidden one becomes an `except`). */
function zones(forbid, allow = []) {
  return forbid
    .filter((from) => !allow.includes(from))
    .map((from) => {
      const except = allow.filter((a) => a.startsWith(`${from}/`)).map((a) => `./${a.slice(from.length + 1)}`);
      return { target: "./", from: `./${from}`, ...(except.length > 0 ? { except } : {}), message: `layers: see docs/architecture.md` };
    });
}

const layerConfigs = [
  ...Object.entries(LAYERS).map(([name, layer]) => ({
    name: `layers/${name}`,
    files: layer.files,
    rules: { "import-x/no-restricted-paths": ["error", { zones: zones(layer.forbid) }] },
  })),
  ...EXCEPTIONS.map((e) => ({
    name: `layers/exception: ${e.reason}`,
    files: e.files,
    rules: { "import-x/no-restricted-paths": ["error", { zones: zones(LAYERS[e.layer].forbid, e.allow) }] },
  })),
];

export default tseslint.config(
  { ignores: ["node_modules/", "out/", "build/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".d.ts", ".js", ".json"] })] },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerConfigs,
  {
    files: ["bin/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", process: "readonly", module: "writable", console: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
