import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime keeps global state (config, mocks): one file per worker at a time.
    pool: "forks",
    testTimeout: 30_000,
    // The machines run Node 20: the AWS SDK's notice that its 2027 releases need Node 22 is known
    // (see the README), and would otherwise repeat in every test file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 60_000,
  },
});
