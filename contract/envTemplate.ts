import { z } from "zod";
import { ENV_KEY_PATTERN, ENV_KEY_RULE, ENV_TEMPLATE_LIMITS } from "./envKeys";

export { ENV_KEY_PATTERN, ENV_KEY_RULE, ENV_TEMPLATE_LIMITS } from "./envKeys";

/**
 * `delivery:envTemplate` (issue 15): the structure every service's environment must have. Shared by
 * the program's config check (infra/config/envTemplate.ts) and `deployctl config set-env`
 * (validators/stackfile/env.ts), so both read the same template the same way.
 *
 * - `required`: every service must give each of these variables, in `environment` or as a secret
 *   (ECS `secrets` reference, Kubernetes `delivery:kubernetes.secrets.<service>`).
 * - `secrets`: wherever a service gives one of these, it must not be plain text: a `secure:` value or
 *   an SSM parameter / Secrets Manager reference. A secret key is required only when listed in
 *   `required` too.
 */

const envKey = z
  .string({ error: `expected an environment variable name: ${ENV_KEY_RULE}` })
  .max(ENV_TEMPLATE_LIMITS.keyLength, { error: `expected an environment variable name: ${ENV_KEY_RULE}` })
  .regex(ENV_KEY_PATTERN, { error: `expected an environment variable name: ${ENV_KEY_RULE}` });

const keyList = (what: string) =>
  z
    .array(envKey, { error: `expected a list of ${what} variable names, e.g. [LOG_LEVEL]` })
    .max(ENV_TEMPLATE_LIMITS.keys, { error: `must list at most ${ENV_TEMPLATE_LIMITS.keys} names` })
    .superRefine((keys, ctx) => {
      keys.forEach((key, i) => {
        const first = keys.indexOf(key);
        if (first !== i)
          ctx.addIssue({ code: "custom", path: [i], input: key, message: `is listed twice (also at [${first}]); list each name once` });
      });
    });

export const envTemplateSchema = z.strictObject({
  /** Variables every service must have. @default [] */
  required: keyList("required").optional(),
  /** Variables that must never be plain text (a `secure:` value or an SSM / Secrets Manager reference). @default [] */
  secrets: keyList("secret").optional(),
});

export type RawEnvTemplate = z.infer<typeof envTemplateSchema>;

export interface EnvTemplate {
  required: string[];
  secrets: string[];
}

export function resolveEnvTemplate(raw: RawEnvTemplate): EnvTemplate {
  return { required: [...(raw.required ?? [])], secrets: [...(raw.secrets ?? [])] };
}

/** The keys a template declares, each once, in the order written: required first, then secrets. */
export function declaredKeys(template: EnvTemplate): string[] {
  return [...new Set([...template.required, ...template.secrets])];
}
