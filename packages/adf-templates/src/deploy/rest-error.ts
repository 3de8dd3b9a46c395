/** `HTTP <status> <code>: <message>` of an SDK error, without its request or headers. */
export function describeRestError(e: unknown): string {
  const r = e as { statusCode?: number; code?: string; message?: string };
  return [r.statusCode !== undefined && `HTTP ${r.statusCode}`, r.code, r.message]
    .filter(Boolean)
    .join(" ")
    .replace(/^(HTTP \d+(?: \S+)?) /, "$1: ");
}
