/* global __dirname */
// Compile-ahead for bin/deployctl.js: `npm ci` (the `prepare` script) compiles the TypeScript sources
// with esbuild into build/ (git-ignored), one .js file per .ts file, and writes build/manifest.json,
// a fingerprint (size, mtime and SHA-256) of every input. bin/deployctl.js runs build/ only when every
// input still has the content it was compiled from; otherwise it runs the sources through tsx. So a
// stale build never runs: edit a file without rebuilding and deployctl is only slower, never wrong.
//
//   node bin/compiled.js          compile into build/ (what `npm run build` and `prepare` run)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
/** The folders deployctl's code comes from (the CLI, its contract, and infra + policy for synth). */
const SOURCE_DIRS = ["validators", "contract", "infra", "policy"];
/** Inputs besides the sources: the version (main.ts reads it), the compiler options, this compiler. */
const EXTRA_INPUTS = ["package.json", "tsconfig.json", "bin/compiled.js"];
const MANIFEST = "manifest.json";
const FORMAT = 1;

/** Every .ts source under SOURCE_DIRS (no .d.ts), as paths relative to root with `/`. */
function listSources(root) {
  const files = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(child);
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

function sha256(file) {
  return require("node:crypto").createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function fingerprint(root, rel) {
  const file = path.join(root, rel);
  const stat = fs.statSync(file);
  return { size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(file) };
}

/**
 * The compiled entry point (build/validators/cli/main.js) when build/ matches the sources, else
 * undefined. Cheap: one stat per input; a file whose mtime changed is hashed, and still counts as
 * fresh when its content is the same (a `git checkout` back and forth, say).
 */
function freshEntry(root = ROOT, outDir = path.join(root, "build")) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), "utf8"));
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT || typeof manifest.inputs !== "object" || manifest.inputs === null) return undefined;
  for (const [rel, want] of Object.entries(manifest.inputs)) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, rel));
    } catch {
      return undefined;
    }
    if (stat.size !== want.size) return undefined;
    if (stat.mtimeMs !== want.mtimeMs && sha256(path.join(root, rel)) !== want.sha256) return undefined;
  }
  const entry = path.join(outDir, "validators", "cli", "main.js");
  return fs.existsSync(entry) ? entry : undefined;
}

/** A source importing a file outside SOURCE_DIRS would be missing from build/: refuse to build it. */
function checkImports(rel, source) {
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](\.[^"']*)["']/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), match[1]));
    if (target !== "package.json" && !SOURCE_DIRS.includes(target.split("/")[0])) {
      throw new Error(
        `${rel} imports ${match[1]} (${target}), outside ${SOURCE_DIRS.join(", ")}: add its folder to SOURCE_DIRS in bin/compiled.js`,
      );
    }
  }
}

/**
 * Compiles every source into outDir with esbuild (syntax only: `npm run typecheck` checks types).
 * `import()` becomes `require()` (tsx and the build then load lazily loaded modules the same way),
 * and `__dirname` / `__filename` keep meaning the source folder, so files read next to the sources
 * (the canary hook, buildspecs, policy config) are found. The manifest is written last, so an
 * interrupted build is never taken for a complete one.
 */
function build(root = ROOT, outDir = path.join(root, "build")) {
  const esbuild = require("esbuild");
  fs.rmSync(path.join(outDir, MANIFEST), { force: true });
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
  const sources = listSources(root);
  const inputs = {};
  for (const rel of sources) {
    inputs[rel] = fingerprint(root, rel);
    const source = fs.readFileSync(path.join(root, rel), "utf8");
    const out = path.join(outDir, rel.replace(/\.ts$/, ".js"));
    const sourceDir = path
      .relative(path.dirname(out), path.dirname(path.join(root, rel)))
      .split(path.sep)
      .join("/");
    checkImports(rel, source);
    const usesDirname = /\b__(dirname|filename)\b/.test(source);
    const result = esbuild.transformSync(source, {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcefile: path.relative(path.dirname(out), path.join(root, rel)).split(path.sep).join("/"),
      sourcemap: "external",
      supported: { "dynamic-import": false },
      tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
      ...(usesDirname
        ? {
            define: { __dirname: "__sourceDirname", __filename: "__sourceFilename" },
            banner:
              `const __sourceDirname = require("node:path").join(__dirname, ${JSON.stringify(sourceDir)});\n` +
              `const __sourceFilename = require("node:path").join(__sourceDirname, ${JSON.stringify(path.basename(rel))});`,
          }
        : {}),
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${result.code}//# sourceMappingURL=${path.basename(out)}.map\n`);
    fs.writeFileSync(`${out}.map`, result.map);
  }
  // main.ts reads ../../package.json for --version: from build/validators/cli that is build/package.json.
  fs.copyFileSync(path.join(root, "package.json"), path.join(outDir, "package.json"));
  for (const rel of EXTRA_INPUTS) if (fs.existsSync(path.join(root, rel))) inputs[rel] = fingerprint(root, rel);
  const tmp = path.join(outDir, `${MANIFEST}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, inputs }, null, 1)}\n`);
  fs.renameSync(tmp, path.join(outDir, MANIFEST));
  return { files: sources.length, outDir };
}

module.exports = { build, freshEntry, listSources, SOURCE_DIRS };

if (require.main === module) {
  const started = Date.now();
  const { files, outDir } = build();
  console.log(`deployctl: compiled ${files} files into ${path.relative(process.cwd(), outDir) || "."} in ${Date.now() - started} ms`);
}
