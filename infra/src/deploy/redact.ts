/**
 * Removes credentials from text before it is printed: bearer tokens, JWTs, SAS signatures,
 * account keys, passwords in connection strings, and the values of secret environment variables.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/Bearer\s+[\w.~+/=-]+/gi, "Bearer [redacted]"],
  [/eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, "[redacted-jwt]"],
  [/([?&](?:sig|skoid|sktid|se|st)=)[^&\s"']+/gi, "$1[redacted]"],
  [/(AccountKey|SharedAccessKey|Password|Pwd|client_secret)=([^;&\s"']+)/gi, "$1=[redacted]"],
  [/("(?:password|secret|accessToken|token|clientSecret)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
];

const SECRET_ENV = /SECRET|PASSWORD|TOKEN|KEY$/i;

export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  for (const [name, value] of Object.entries(env))
    if (value && value.length >= 8 && SECRET_ENV.test(name))
      out = out.split(value).join(`[redacted ${name}]`);
  return out;
}
