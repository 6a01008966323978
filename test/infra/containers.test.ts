import { describe, expect, it } from "vitest";
import { containerDefinition, containerHealthCheck, ecrLifecyclePolicy, shellQuote } from "../../infra/components/lib/containers";

describe("containerDefinition", () => {
  const definition = containerDefinition({
    service: {
      name: "api",
      port: 8080,
      healthCheckPath: "/health",
      environment: { Z_LAST: "1", A_FIRST: "2" },
      readonlyRootFilesystem: true,
    },
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/delivery/api:sha-abc1234",
    logGroup: "/ecs/delivery/prod/api",
    region: "us-east-1",
    secrets: { DATABASE_URL: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/prod/api/database-url" },
  });

  it("runs the image from the service's repository at the configured tag", () => {
    expect(definition.image).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/prod/delivery/api:sha-abc1234");
  });

  it("sends logs to the service's log group with the awslogs driver", () => {
    expect(definition.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/delivery/prod/api", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "api" },
    });
  });

  it("lists environment variables sorted by name, and secrets by reference only", () => {
    expect(definition.environment).toEqual([
      { name: "A_FIRST", value: "2" },
      { name: "Z_LAST", value: "1" },
    ]);
    expect(definition.secrets).toEqual([
      { name: "DATABASE_URL", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/delivery/prod/api/database-url" },
    ]);
  });

  it("maps the service port and keeps the root filesystem read-only when configured", () => {
    expect([definition.portMappings, definition.readonlyRootFilesystem]).toEqual([
      [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
      true,
    ]);
  });
});

describe("containerHealthCheck", () => {
  it("checks the health path with curl, else wget", () => {
    expect(containerHealthCheck(3000, "/healthz")).toEqual({
      command: [
        "CMD-SHELL",
        "curl -fsS -o /dev/null 'http://localhost:3000/healthz' || wget -q -O /dev/null 'http://localhost:3000/healthz' || exit 1",
      ],
      interval: 15,
      timeout: 5,
      retries: 3,
      startPeriod: 30,
    });
  });

  it("quotes a path so the shell runs it as one word", () => {
    expect(shellQuote("http://localhost:80/it's;rm -rf")).toBe(`'http://localhost:80/it'\\''s;rm -rf'`);
  });
});

describe("ecrLifecyclePolicy", () => {
  it("expires untagged images first, then keeps the newest N of any tag (the 'any' rule last)", () => {
    expect(ecrLifecyclePolicy(100, 14)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: "Expire untagged images after 14 day(s)",
          selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 },
          action: { type: "expire" },
        },
        {
          rulePriority: 2,
          description: "Keep the newest 100 images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
          action: { type: "expire" },
        },
      ],
    });
  });
});
