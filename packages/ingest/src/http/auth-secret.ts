import type { TokenCredential } from "@azure/identity";
import type { SecretClient, SecretClientOptions } from "@azure/keyvault-secrets";
import { IngestError } from "../errors.ts";
import type { Redactor } from "./redactor.ts";

/** A Key Vault secret holding the header value. */
export interface KeyVaultSecretRef {
  /** `https://<vault>.vault.azure.net`. */
  readonly vaultUrl: string;
  readonly secretName: string;
  /** Default: the latest version. */
  readonly version?: string;
  /** Default `new DefaultAzureCredential()`: managed identity in Azure, `az login` on a workstation. */
  readonly credential?: TokenCredential;
  /** Passed to `SecretClient` (retry options, `disableChallengeResourceVerification`, …). */
  readonly clientOptions?: SecretClientOptions;
  /** A client of your own; `vaultUrl` is then used in messages only. */
  readonly client?: Pick<SecretClient, "getSecret">;
}

/** Where a credential comes from: an environment variable, or a Key Vault secret. */
export type SecretSource = { readonly env: string } | { readonly keyVault: KeyVaultSecretRef };
/** Where an API credential comes from (the same as any `SecretSource`). */
export type HttpSecretSource = SecretSource;

export interface HttpAuth {
  /** Header carrying the credential. Default `Authorization`. */
  readonly header?: string;
  /** Written before the value with a space. Default `Bearer` for `Authorization`, nothing otherwise. */
  readonly scheme?: string;
  readonly secret: HttpSecretSource;
}

const unavailable = (message: string, hint: string) => new IngestError("SECRET_UNAVAILABLE", message, hint);

/**
 * Reads a secret. `what` names it in messages ("the API credential"); the value is never in
 * them. The caller registers it with its redactor.
 */
export async function readSecret(
  source: SecretSource,
  redactor: Redactor,
  what = "the API credential",
): Promise<string> {
  if ("env" in source) {
    const value = process.env[source.env];
    if (!value) {
      throw unavailable(
        `environment variable ${source.env} is not set (it should hold ${what})`,
        `Set ${source.env}, or take ${what} from Key Vault.`,
      );
    }
    return value;
  }
  const kv = source.keyVault;
  try {
    // The SDKs are loaded only for a secret kept in Key Vault.
    const client =
      kv.client ??
      new (await import("@azure/keyvault-secrets")).SecretClient(
        kv.vaultUrl,
        kv.credential ?? new (await import("@azure/identity")).DefaultAzureCredential(),
        kv.clientOptions,
      );
    const secret = await client.getSecret(
      kv.secretName,
      kv.version === undefined ? {} : { version: kv.version },
    );
    if (!secret.value) throw new Error("the secret has no value");
    return secret.value;
  } catch (e) {
    if (e instanceof IngestError) throw e;
    // The SDK's error carries the request and response; only a redacted message is kept.
    throw unavailable(
      `Key Vault secret ${kv.secretName} at ${kv.vaultUrl} could not be read: ${redactor.describe(e)}`,
      "The identity needs the Key Vault Secrets User role (or a get-secret access policy) on the vault.",
    );
  }
}

/**
 * The auth header as `[name, value]`. The value is registered with the redactor before it is
 * returned, so no message or log line written afterwards can contain it.
 */
export async function resolveAuthHeader(auth: HttpAuth, redactor: Redactor): Promise<[string, string]> {
  const header = auth.header ?? "Authorization";
  const scheme = auth.scheme ?? (header.toLowerCase() === "authorization" ? "Bearer" : "");
  const secret = await readSecret(auth.secret, redactor);
  redactor.add(secret);
  if (/[\r\n\0]/.test(secret)) {
    throw unavailable(
      "the credential contains a line break or NUL, which cannot be sent in a header",
      "Store the bare token, without a trailing newline.",
    );
  }
  const value = scheme ? `${scheme} ${secret}` : secret;
  redactor.add(value);
  return [header, value];
}
