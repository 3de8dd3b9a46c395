import { AdfError } from "../errors.ts";

/**
 * Refuses an option: `INVALID_OPTIONS`, the option as the rule. `secret`: the value may be a
 * secret given by mistake, and is not repeated in the message.
 */
export function invalid(what: string, value: unknown, hint: string, secret = false): never {
  const shown = secret ? "the value given" : JSON.stringify(value);
  throw new AdfError("INVALID_OPTIONS", `${what}: ${shown} is not valid`, hint, { rule: what });
}

export function keyVaultName(what: string, v: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(v) || v.includes("--"))
    invalid(what, v, "A Key Vault name is 3-24 letters, digits and single hyphens, starting with a letter.");
  return v;
}
