import { MIN_SECRET_LENGTH, normaliseSecret } from "../../contract/redact";

/**
 * deployctl's redactor: the one rule set (contract/redact.ts) plus the secrets this process knows.
 * Every output channel goes through it: progress and reports, run records and alert state, alerts,
 * channel errors, and check messages built from log lines.
 */
export { displayLine, MASK, normaliseSecret, redact, redactText, redactUrl, secretVariants } from "../../contract/redact";

/** The secret values this process knows (resolved webhook URLs, routing keys), trimmed when registered. */
export class SecretRegistry {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    const secret = value === undefined ? undefined : normaliseSecret(value);
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  values(): string[] {
    // Longest first, so a secret that contains another is masked whole.
    return [...this.secrets].sort((a, b) => b.length - a.length);
  }
}
