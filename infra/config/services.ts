import { resolveDeployment } from "./deployment";
import { type ConfigProblem, show } from "./errors";
import { describeMemory, FARGATE_CPU_UNITS, fargateMemoryFor, orList } from "./fargate";
import { type RawService, REGISTRY_WITH_PORT, serviceSchema } from "./schema";
import type { Tier, TierDefaults } from "../../contract/tiers";
import type { ServiceConfig } from "./types";
import { keyPath, zodProblems } from "./zodProblems";
import { dockerOnlyProblems, resolveDockerServices } from "./docker";
import type { RuntimeName } from "../../contract/manifest";
import { resolveMigration } from "./migration";
import { secretVariableName } from "../../contract/envKeys";

const ROOT = "delivery:services";

/** Which runtime the services run on, and the stack (Docker host ports derive from it). @default ecs */
export interface ServicesContext {
  runtime: RuntimeName;
  stack: string;
}

/** Parses and checks every service entry, applying the tier's defaults. Pushes every problem found. */
export function resolveServices(
  raw: unknown[],
  tier: Tier,
  defaults: TierDefaults,
  problems: ConfigProblem[],
  context: ServicesContext = { runtime: "ecs", stack: "" },
): ServiceConfig[] {
  const parsed: { index: number; svc: RawService }[] = [];
  raw.forEach((entry, index) => {
    const result = serviceSchema.safeParse(entry, { reportInput: true });
    if (result.success) parsed.push({ index, svc: result.data });
    else problems.push(...zodProblems(keyPath(ROOT, [index]), result.error, serviceSchema));
  });

  // Names as written, even in entries that failed to parse, so dependsOn checks stay useful.
  const names = raw.map((e) => (isRecord(e) && typeof e.name === "string" ? e.name : undefined));
  const firstIndex = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === undefined) return;
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else
      problems.push({
        code: "duplicate",
        path: `${ROOT}[${index}].name`,
        message: `is ${show(name)}; service names must be unique (${ROOT}[${first}] has it too).`,
      });
  });

  const docker = context.runtime === "docker";
  const services = parsed.map(({ index, svc }) => resolveOne(svc, index, tier, defaults, firstIndex, problems, context.runtime));
  if (docker) {
    const settings = resolveDockerServices(
      context.stack,
      parsed.map(({ index, svc }) => ({ index, name: svc.name, raw: svc, defaultReplicas: svc.desiredCount ?? defaults.desiredCount })),
      problems,
    );
    for (const s of services) s.docker = settings.get(s.name);
  } else {
    for (const { index, svc } of parsed) problems.push(...dockerOnlyProblems(index, svc, context.runtime));
    if (context.runtime === "ecs") for (const { index, svc } of parsed) problems.push(...ecrRepositoryProblems(index, svc));
    checkRouting(parsed, problems);
  }
  checkCycles(services, problems);
  return services;
}

/** On ECS `image.repository` names the repository the stack creates in its account's ECR: no other registry. */
function ecrRepositoryProblems(index: number, svc: RawService): ConfigProblem[] {
  const registry = REGISTRY_WITH_PORT.exec(svc.image.repository)?.[0];
  if (registry === undefined) return [];
  return [
    {
      code: "runtime",
      path: keyPath(`${ROOT}[${index}]`, ["image", "repository"]),
      message: `is ${show(svc.image.repository)}; on ECS it is the name of the ECR repository the stack creates, so it takes no registry ${show(registry.slice(0, -1))}: remove it (a registry's host:port/ is for Docker and Kubernetes stacks).`,
    },
  ];
}

/**
 * The service keys a Kubernetes stack takes from elsewhere (delivery:kubernetes, the tier) or has no
 * use for: each is refused, naming where the setting lives, rather than silently dropped.
 */
function kubernetesProblems(index: number, svc: RawService): ConfigProblem[] {
  const at = (...path: string[]) => keyPath(`${ROOT}[${index}]`, path);
  const settings = `delivery:kubernetes.services.${svc.name}`;
  const problems: ConfigProblem[] = [];
  const elsewhere = (key: "cpu" | "memory" | "desiredCount" | "autoscaling" | "host", where: string) => {
    if (svc[key] === undefined) return;
    problems.push({
      code: "runtime",
      path: at(key),
      message: `is ${show(svc[key])}; a Kubernetes stack takes this from ${where}, so it would be ignored: remove it.`,
    });
  };
  elsewhere("cpu", `${settings}.cpu (a quantity such as "500m"; default: the tier's)`);
  elsewhere("memory", `${settings}.memory (a quantity such as "512Mi"; default: the tier's)`);
  elsewhere("desiredCount", "the tier (replicas: dev 1, staging 2, prod 3)");
  elsewhere("autoscaling", "the tier (a HorizontalPodAutoscaler in staging, 2-5, and prod, 3-20, at 70% CPU)");
  elsewhere("host", "delivery:kubernetes.host");
  if (svc.readonlyRootFilesystem === false)
    problems.push({
      code: "runtime",
      path: at("readonlyRootFilesystem"),
      message: `is false; Kubernetes pods always run with a read-only root filesystem: give the paths the service writes in ${settings}.writablePaths, and remove it.`,
    });
  if (svc.secrets !== undefined) {
    const variables = Object.keys(secretsMap(svc.secrets));
    const where = `delivery:kubernetes.secrets.${svc.name}`;
    problems.push({
      code: "runtime",
      path: at("secrets"),
      message: `is ${show(svc.secrets)}; a Kubernetes stack reads no Secrets Manager or SSM parameter: set ${variables.length === 1 ? "the variable" : "each variable"} as a secure value in ${where} (pulumi config set --secret --path '${where}.${variables[0] ?? "NAME"}' <value>), and remove it.`,
    });
  }
  problems.push(
    ...rollingOnlyProblems(index, svc, "a Kubernetes Deployment releases with a rolling update only (progressive delivery is ECS's)"),
  );
  return problems;
}

/** Docker and Kubernetes release rolling only: a progressive strategy or its section is refused, `how` saying why. */
function rollingOnlyProblems(index: number, svc: RawService, how: string): ConfigProblem[] {
  const at = (...path: string[]) => keyPath(`${ROOT}[${index}]`, path);
  const deployment = svc.deployment ?? {};
  const problems: ConfigProblem[] = [];
  if (deployment.strategy !== undefined && deployment.strategy !== "rolling")
    problems.push({ code: "runtime", path: at("deployment", "strategy"), message: `is ${show(deployment.strategy)}; ${how}: remove it.` });
  for (const section of ["canary", "linear", "blueGreen"] as const)
    if (deployment[section] !== undefined)
      problems.push({ code: "runtime", path: at("deployment", section), message: `is set; ${how}, so it would be ignored: remove it.` });
  return problems;
}

function resolveOne(
  svc: RawService,
  index: number,
  tier: Tier,
  defaults: TierDefaults,
  known: Map<string, number>,
  problems: ConfigProblem[],
  runtime: RuntimeName,
): ServiceConfig {
  const docker = runtime === "docker";
  const at = (...path: (string | number)[]) => keyPath(`${ROOT}[${index}]`, path);
  const cpu = svc.cpu ?? defaults.cpu;
  const memory = svc.memory ?? defaults.memory;
  const memoryOptions = fargateMemoryFor(cpu);
  if (docker) {
    // Docker limits take any size: cpu in units of 1/1024 CPU, memory in MiB; Fargate's pairs do not apply.
    if (memory < 6)
      problems.push({ code: "invalid", path: at("memory"), message: `is ${memory}; Docker needs a memory limit of at least 6 MiB.` });
    if (svc.secrets !== undefined)
      problems.push({
        code: "runtime",
        path: at("secrets"),
        message: `is ${show(svc.secrets)}; a Docker stack reads no Secrets Manager or SSM parameter: give a local, non-secret value in environment, or remove it.`,
      });
    const ecsOnly = { path: "the load balancer's routing", host: "the load balancer's routing", autoscaling: "ECS autoscaling" } as const;
    for (const key of ["path", "host", "autoscaling"] as const) {
      if (svc[key] === undefined || svc[key] === false) continue;
      problems.push({
        code: "runtime",
        path: at(key),
        message: `is ${show(svc[key])}; it sets ${ecsOnly[key]}, which a Docker stack does not have (use replicas and hostPort), so remove it.`,
      });
    }
    if (svc.migration !== undefined)
      problems.push({
        code: "runtime",
        path: at("migration"),
        message: `is set; the Docker runtime does not run migrations yet (ECS runs them as a one-off task, Kubernetes as a Job): run it by hand before the deploy, or remove it.`,
      });
    problems.push(...rollingOnlyProblems(index, svc, "the Docker runtime replaces containers (rolling) only"));
  } else if (runtime === "kubernetes") {
    // Sizes, replicas and the rollout come from delivery:kubernetes and the tier: Fargate's pairs do not apply.
    problems.push(...kubernetesProblems(index, svc));
  } else if (!memoryOptions) {
    problems.push({ code: "fargate-size", path: at("cpu"), message: `is ${cpu}; Fargate accepts ${orList(FARGATE_CPU_UNITS)}.` });
  } else if (!memoryOptions.includes(memory)) {
    problems.push({
      code: "fargate-size",
      path: at("memory"),
      message: `is ${memory} with cpu ${cpu}; Fargate accepts ${describeMemory(cpu)} MiB with cpu ${cpu}.`,
    });
  }

  const autoscaling =
    svc.autoscaling === false
      ? undefined
      : svc.autoscaling
        ? { min: svc.autoscaling.min, max: svc.autoscaling.max, cpuTargetPercent: svc.autoscaling.cpuTargetPercent ?? 60 }
        : defaults.autoscaling && { ...defaults.autoscaling };
  const desiredCount = svc.desiredCount ?? defaults.desiredCount;
  if (autoscaling) {
    const source = svc.autoscaling ? "" : ` (the ${tier} tier's default autoscaling; set autoscaling to change it)`;
    if (autoscaling.min > autoscaling.max) {
      problems.push({
        code: "autoscaling-range",
        path: at("autoscaling", "min"),
        message: `is ${autoscaling.min}, above autoscaling.max ${autoscaling.max}; min must be at most max.`,
      });
    } else if (desiredCount < autoscaling.min || desiredCount > autoscaling.max) {
      problems.push({
        code: "autoscaling-range",
        path: at("desiredCount"),
        message: `is ${desiredCount}; it must be within autoscaling min ${autoscaling.min} and max ${autoscaling.max}${source}.`,
      });
    }
  }

  const dependsOn = svc.dependsOn ?? [];
  dependsOn.forEach((dep, i) => {
    if (!known.has(dep)) {
      problems.push({
        code: "unknown-dependency",
        path: at("dependsOn", i),
        message: `is ${show(dep)}; no service has that name (services: ${[...known.keys()].join(", ")}).`,
      });
    }
  });

  return {
    name: svc.name,
    image: { ...svc.image },
    port: svc.port,
    healthCheckPath: svc.healthCheckPath ?? "/health",
    cpu,
    memory,
    desiredCount,
    autoscaling,
    dependsOn,
    environment: { ...(svc.environment ?? {}) },
    secrets: secretsMap(svc.secrets),
    path: svc.path,
    host: svc.host,
    smokePaths: svc.smokePaths ?? [],
    ...(svc.logs ? { logs: { ...svc.logs } } : {}),
    readonlyRootFilesystem: svc.readonlyRootFilesystem ?? false,
    rulePriority: svc.path || svc.host ? 100 + index * 10 : undefined,
    ...(svc.migration && !docker ? { migration: resolveMigration(svc.migration) } : {}),
    deployment: runtime === "ecs" ? resolveDeployment(svc.deployment, at("deployment"), tier, defaults, problems) : { strategy: "rolling" },
  };
}

/** A list of secret names becomes VARIABLE -> name, the variable from the name's last segment. */
export function secretsMap(secrets: RawService["secrets"]): Record<string, string> {
  if (!secrets) return {};
  if (!Array.isArray(secrets)) return { ...secrets };
  const out: Record<string, string> = {};
  for (const name of secrets) out[secretVariableName(name)] = name;
  return out;
}

function checkRouting(parsed: { index: number; svc: RawService }[], problems: ConfigProblem[]): void {
  let defaultRoute: { index: number; name: string } | undefined;
  const rules = new Map<string, number>();
  for (const { index, svc } of parsed) {
    if (!svc.path && !svc.host) {
      if (defaultRoute) {
        problems.push({
          code: "routing",
          path: `${ROOT}[${index}]`,
          message: `(${show(svc.name)}) has neither path nor host; only one service can be the load balancer's default route, and ${ROOT}[${defaultRoute.index}] (${show(defaultRoute.name)}) already is. Give this one a path or host.`,
        });
      } else defaultRoute = { index, name: svc.name };
      continue;
    }
    const rule = `${svc.host ?? "*"} ${svc.path ?? "/*"}`;
    const other = rules.get(rule);
    if (other !== undefined) {
      problems.push({
        code: "routing",
        path: `${ROOT}[${index}]`,
        message: `(${show(svc.name)}) routes host ${show(svc.host ?? "*")} path ${show(svc.path ?? "/*")}, as ${ROOT}[${other}] does; each routing rule must be unique.`,
      });
    } else rules.set(rule, index);
  }
}

function checkCycles(services: ServiceConfig[], problems: ConfigProblem[]): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const key = [...cycle.slice(0, -1)].sort().join(",");
      if (!reported.has(key)) {
        reported.add(key);
        problems.push({
          code: "dependency-cycle",
          path: ROOT,
          message: `have a dependsOn cycle: ${cycle.join(" -> ")}; services must deploy in an order, so remove one of these dependencies.`,
        });
      }
      return;
    }
    state.set(name, "visiting");
    for (const dep of byName.get(name)?.dependsOn ?? []) if (byName.has(dep)) visit(dep, [...trail, name]);
    state.set(name, "done");
  };
  for (const s of services) visit(s.name, []);
}

/** Services ordered so each comes after those it depends on (stable for ties). */
export function deployOrder<T extends { name: string; dependsOn: readonly string[] }>(services: readonly T[]): T[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (s: T) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    for (const dep of s.dependsOn) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    out.push(s);
  };
  services.forEach(visit);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
