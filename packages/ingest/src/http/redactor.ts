/** Query parameters and header names that carry credentials by their name. */
export const SECRET_NAME = /key|token|secret|passw|pwd|sig|auth|credential|cookie|session/i;

const MASK = "***";

/**
 * Keeps secrets out of messages and logs: every known secret value (and its URL and base64
 * encodings) is replaced by `***`; URLs lose their userinfo and the values of query parameters
 * the source did not set itself.
 */
export class Redactor {
  private readonly secrets: string[] = [];

  add(secret: string): void {
    if (!secret) return;
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
    for (const f of forms) if (f && !this.secrets.includes(f)) this.secrets.push(f);
    // Longest first: a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out;
  }

  /** `origin + path + query`, keeping the values of `keep` parameters (pagination, window) only. */
  url(url: URL, keep: ReadonlySet<string> = new Set()): string {
    const query = [...url.searchParams]
      .map(([k, v]) => `${encodeURIComponent(k)}=${keep.has(k) ? encodeURIComponent(v) : MASK}`)
      .join("&");
    return this.text(`${url.origin}${url.pathname}${query ? `?${query}` : ""}`);
  }

  /** An error's message and its causes' messages and codes, redacted, as one line. */
  describe(error: unknown): string {
    const parts: string[] = [];
    let e: unknown = error;
    for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
      if (e instanceof Error) {
        const code = (e as { code?: unknown }).code;
        parts.push(typeof code === "string" ? `${e.message} (${code})` : e.message);
        e = e.cause;
      } else {
        parts.push(String(e));
        break;
      }
    }
    // A library's message may quote the URL it was given: shown as url() shows one.
    return this.text(parts.join(": ")).replace(URL_IN_TEXT, (m) => {
      try {
        return this.url(new URL(m));
      } catch {
        return MASK;
      }
    });
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
