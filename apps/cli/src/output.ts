import pc from "picocolors";

/** Colours only for a terminal, and never with NO_COLOR. */
export const color = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);

export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}

/** A plain-text table: columns sized to their content. */
export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  const width = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (v.length > width[i]! ? `${v.slice(0, width[i]! - 1)}…` : v.padEnd(width[i]!)))
      .join("  ");
  return [
    color.bold(line(cols)),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ].join("\n");
}

export const fmt = (n: number) => n.toLocaleString("en-US");

/** Progress on stderr, rewritten in place on a terminal; silent otherwise. */
export class Progress {
  private readonly live = Boolean(process.stderr.isTTY) && !process.env.CI;
  private started = Date.now();
  update(text: string): void {
    if (!this.live) return;
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`\r\x1b[2K${color.dim(`[${secs}s]`)} ${text}`);
  }
  restart(): void {
    this.started = Date.now();
  }
  done(): void {
    if (this.live) process.stderr.write("\r\x1b[2K");
  }
}
