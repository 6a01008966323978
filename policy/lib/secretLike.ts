/**
 * Whether a plain environment variable looks like it holds a secret. Two signals: the value has the
 * shape of a known credential (whatever the name), or the name says secret and the value is not a
 * plain number or boolean. Returns the reason, never the value.
 */

const CREDENTIAL_SHAPES: { kind: string; pattern: RegExp }[] = [
  { kind: "an AWS access key id", pattern: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { kind: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "a Slack webhook URL", pattern: /hooks\.slack\.com\/services\/[A-Za-z0-9/]+/ },
  { kind: "a Stripe secret key", pattern: /\b[rs]k_live_[A-Za-z0-9]{16,}/ },
  { kind: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { kind: "a URL with a password", pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

const SECRET_NAME =
  /(^|_)(SECRET|SECRETS|PASSWORD|PASSWD|PWD|PASS|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SIGNING_?KEY|CLIENT_?SECRET|CREDENTIALS?|AUTH)(_|$)/i;

export function secretReason(name: string, value: string): string | undefined {
  const shape = CREDENTIAL_SHAPES.find((s) => s.pattern.test(value));
  if (shape) return `its value looks like ${shape.kind}`;
  const plain = value.trim() === "" || /^(-?\d+(\.\d+)?|true|false|yes|no|on|off)$/i.test(value.trim());
  if (SECRET_NAME.test(name) && !plain) return "its name says it holds a secret";
  return undefined;
}
