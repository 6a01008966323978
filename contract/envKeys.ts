/** Environment variable names as `delivery:envTemplate` and `deployctl config set-env` accept them (no zod: the CLI loads it with its options). */

/** An environment variable name: uppercase letters, digits and '_', not starting with a digit. */
export const ENV_KEY_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/** The longest variable name and the most keys a list may hold. */
export const ENV_TEMPLATE_LIMITS = { keyLength: 128, keys: 100 } as const;

export const ENV_KEY_RULE = `1 to ${ENV_TEMPLATE_LIMITS.keyLength} characters: uppercase letters A to Z, digits and '_', not starting with a digit (e.g. LOG_LEVEL)`;

/** Whether a value holds a control character (a newline, tab, NUL...): environment values set by deployctl are one line. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * The variable a secret listed by name only (`secrets: [/delivery/prod/api/database-url]`) is given:
 * the name's last path segment, upper-cased, with '_' for anything but letters and digits
 * (`DATABASE_URL`). Shared by the program (infra/config) and `deployctl config set-env`.
 */
export function secretVariableName(name: string): string {
  const last = name.split(/[/:]/).filter(Boolean).pop() ?? name;
  return last.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}
