import { isMap, isScalar, isSeq, type Document, type YAMLMap } from "yaml";
import { secretVariableName } from "../../contract/envKeys";
import { declaredKeys, type EnvTemplate, envTemplateSchema, resolveEnvTemplate } from "../../contract/envTemplate";
import { BadInputError } from "../core/errors";
import { parseStackDocument, serviceEntries, setStringIn, spliceable, spliceScalars, stackDocumentText } from "./document";

/**
 * Sets values of one service's environment in a Pulumi stack file's text (`deployctl config set-env`),
 * with the `yaml` Document API so comments, key order and quoting survive. Only keys
 * `delivery:envTemplate` declares, and never a secret key: set-env writes plain text. Pure: text in,
 * text out; the caller checks the result with the config check and writes it.
 */

export interface EnvEdit {
  key: string;
  value: string;
}

export interface EnvChange {
  key: string;
  /** The config path `pulumi config get --path` takes, e.g. `delivery:services[0].environment.LOG_LEVEL`. */
  path: string;
  /** The value before (plain text: set-env never touches a secret); null when the key was not set. */
  from: string | null;
  to: string;
  changed: boolean;
}

export interface EnvUpdate {
  text: string;
  service: string;
  /** The service's environment, e.g. `delivery:services[0].environment`. */
  environmentPath: string;
  changes: EnvChange[];
  template: EnvTemplate;
}

export function setEnvValues(file: string, text: string, project: string, service: string, edits: readonly EnvEdit[]): EnvUpdate {
  const doc = parseStackDocument(file, text);
  const template = readTemplate(file, project, doc);
  const key = `${project}:services`;
  const { names, items } = serviceEntries(file, key, doc);
  const index = names.indexOf(service);
  if (index < 0)
    throw new BadInputError(`${file}: config.${key} has no service named ${JSON.stringify(service)}; its services are ${names.join(", ")}`);
  const item = items[index];
  const at = `${key}[${index}]`;
  const environment = item.get("environment", true);
  if (environment !== undefined && !isMap(environment))
    throw new BadInputError(`${file}: ${at}.environment is not a map; expected VARIABLE: value entries`);
  const referenced = secretSources(doc, project, item, service, at);

  const runtime = doc.getIn(["config", `${project}:runtime`]) ?? "ecs";
  const problems: string[] = [];
  const declared = declaredKeys(template);
  const secretKeys = new Set(template.secrets);
  for (const { key: name } of edits) {
    const path = `${at}.environment.${name}`;
    const current = environment?.get(name, true);
    if (!declared.includes(name)) {
      problems.push(
        `${file}: ${name} is not declared in ${project}:envTemplate (${describeDeclared(template)}); config set-env sets only declared, non-secret keys. Add ${name} to ${project}:envTemplate.required first.`,
      );
    } else if (secretKeys.has(name)) {
      problems.push(
        `${file}: ${name} is a secret key (${project}:envTemplate.secrets); config set-env writes plain text only. Set it with: pulumi config set --secret --path '${path}' <value>${secretElsewhere(runtime, project, service, name, at)}.`,
      );
    } else if (referenced.has(name)) {
      problems.push(`${file}: ${name} comes from ${referenced.get(name)}; remove it there first to give ${service} a plain value.`);
    } else if (isMap(current)) {
      problems.push(
        `${file}: ${path} is a secure value; config set-env never replaces a secret with plain text. Use: pulumi config set --secret --path '${path}' <value>.`,
      );
    } else if (current !== undefined && current !== null && !isScalar(current)) {
      problems.push(`${file}: ${path} is not a single value; edit it by hand.`);
    }
  }
  if (problems.length > 0) throw new BadInputError(problems.join("\n"));

  // A value that replaces an existing one is spliced into the text, so every other byte stays; a key
  // the service did not have yet is added through the document, which is then printed whole.
  const splices: Parameters<typeof spliceScalars>[1][number][] = [];
  let reprint = false;
  const changes: EnvChange[] = edits.map(({ key: name, value }) => {
    const current = environment?.get(name, true);
    const from = isScalar(current) && current.value !== null ? String(current.value) : null;
    if (from !== value) {
      if (spliceable(current)) splices.push({ node: current, value });
      else reprint = true;
      setStringIn(item, ["environment", name], value);
    }
    return { key: name, path: `${at}.environment.${name}`, from, to: value, changed: from !== value };
  });
  return {
    text: reprint ? stackDocumentText(doc) : spliceScalars(text, splices),
    service,
    environmentPath: `${at}.environment`,
    changes,
    template,
  };
}

/** The stack file's template, parsed with the program's schema (contract/envTemplate.ts). */
function readTemplate(file: string, project: string, doc: Document): EnvTemplate {
  const key = `${project}:envTemplate`;
  const node = doc.getIn(["config", key], true);
  if (node === undefined)
    throw new BadInputError(
      `${file}: config.${key} is missing; config set-env sets only keys a template declares. Add ${key}: { required: [KEY, ...], secrets: [KEY, ...] } (README, delivery:envTemplate).`,
    );
  const parsed = envTemplateSchema.safeParse((node as { toJSON(): unknown }).toJSON(), { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${file}: ${key}${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`,
    );
    throw new BadInputError(lines.join("\n"));
  }
  return resolveEnvTemplate(parsed.data);
}

/**
 * The variables a service takes from a secret, each with where it comes from: its `secrets`
 * references (a map, or a list of names) and, on Kubernetes, `delivery:kubernetes.secrets.<service>`.
 */
function secretSources(doc: Document, project: string, item: YAMLMap, service: string, at: string): Map<string, string> {
  const out = new Map<string, string>();
  const refs = item.get("secrets", true);
  const reference = `${at}.secrets (an SSM parameter or Secrets Manager reference)`;
  if (isMap(refs)) for (const p of refs.items) out.set(keyText(p.key), reference);
  if (isSeq(refs)) for (const n of refs.items) if (isScalar(n)) out.set(secretVariableName(String(n.value)), reference);
  const kube = doc.getIn(["config", `${project}:kubernetes`, "secrets", service], true);
  if (isMap(kube)) for (const p of kube.items) out.set(keyText(p.key), `${project}:kubernetes.secrets.${service} (a secure value)`);
  return out;
}

/** Where else a secret variable can come from on the stack's runtime (after "set it with pulumi config set --secret"). */
function secretElsewhere(runtime: unknown, project: string, service: string, key: string, at: string): string {
  if (runtime === "kubernetes") return `, or in ${project}:kubernetes.secrets.${service}.${key}`;
  if (runtime === "docker") return "";
  return `, or reference an SSM parameter or Secrets Manager secret in ${at}.secrets`;
}

function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

function describeDeclared(template: EnvTemplate): string {
  const secret = new Set(template.secrets);
  const plain = declaredKeys(template).filter((k) => !secret.has(k));
  const parts = [`it declares ${plain.length > 0 ? plain.join(", ") : "no plain key"}`];
  if (template.secrets.length > 0) parts.push(`secret: ${template.secrets.join(", ")}`);
  return parts.join("; ");
}
