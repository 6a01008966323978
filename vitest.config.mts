import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime keeps global state (config, mocks): one file per worker at a time.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
