import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

/** Every module specifier a file imports (static, dynamic, re-exports and require). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)];
  return found.map((m) => m[1]);
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|cjs|js|mjs)$/.test(f))
    .map((f) => join(ROOT, dir, f));
}

/** What a file imports that a benchmark may not: vitest, or anything under test/. */
function forbidden(file: string): string[] {
  return specifiers(file).filter(
    (s) => s === "vitest" || s.startsWith("vitest/") || (s.startsWith(".") && relative(ROOT, resolve(dirname(file), s)).startsWith("test")),
  );
}

describe("benchmarks cannot rot", () => {
  it.each(["bench", "fixtures"])("%s/ imports nothing from test/ and nothing of vitest", (dir) => {
    const files = sources(dir);

    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((f) => forbidden(f).map((s) => `${relative(ROOT, f)} imports ${s}`))).toEqual([]);
  });

  it("every bench:* script runs a file of bench/ that has a quick mode", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const bench = Object.entries(scripts).filter(([name]) => name.startsWith("bench:"));

    expect(bench.length).toBeGreaterThan(0);
    for (const [name, command] of bench) {
      const file = /bench\/[\w.-]+\.ts/.exec(command)?.[0];
      expect(file, `${name}: ${command}`).toBeDefined();
      expect(readFileSync(join(ROOT, file ?? ""), "utf8"), `${name} reads QUICK from bench/quick.ts`).toMatch(/from "\.\/quick"/);
    }
  });

  it("CI runs every bench:* script in quick mode", () => {
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");

    expect(ci).toMatch(/startsWith\("bench:"\)/);
    expect(ci).toMatch(/BENCH_QUICK=1 npm run "\$script"/);
  });
});
