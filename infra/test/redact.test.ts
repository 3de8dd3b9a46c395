import { describe, expect, it } from "vitest";
import { redact } from "../src/index.ts";

describe("redact: nothing secret is printed", () => {
  it("removes bearer tokens, JWTs, SAS signatures, keys and passwords", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWN0b3J5In0.c2lnbmF0dXJlLWJ5dGVz";
    expect(redact(`Authorization: Bearer ${jwt}`, {})).toBe("Authorization: Bearer [redacted]");
    expect(redact(`token ${jwt} seen`, {})).toBe("token [redacted-jwt] seen");
    expect(redact("https://a.blob.core.windows.net/c/f?sv=2024&sig=abc%2Fdef&se=2026", {})).toBe(
      "https://a.blob.core.windows.net/c/f?sv=2024&sig=[redacted]&se=[redacted]",
    );
    expect(redact("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5==;", {})).toBe(
      "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=[redacted];",
    );
    expect(redact('{"password":"Hunter2!","user":"x"}', {})).toBe('{"password":"[redacted]","user":"x"}');
  });

  it("removes the values of secret environment variables wherever they appear", () => {
    expect(
      redact("login failed for client with s3cr3t-value-123", { AZURE_CLIENT_SECRET: "s3cr3t-value-123" }),
    ).toBe("login failed for client with [redacted AZURE_CLIENT_SECRET]");
    expect(redact("plain text stays", { AZURE_CLIENT_SECRET: "s3cr3t-value-123" })).toBe("plain text stays");
  });
});
