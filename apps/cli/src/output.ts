import pc from "picocolors";

/** Colours only for a terminal, and never with NO_COLOR. */
export const color = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
/** The same for stderr (errors and hints), which may be a terminal when stdout is not, or the reverse. */
export const errColor = pc.createColors(Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);

const bigints = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, bigints, 2)}\n`);
}

/** Writes to `out` as it drains; false once `out` is gone (a reader that stopped: `| head`). */
function drainingWriter(out: NodeJS.WritableStream): (text: string) => Promise<boolean> {
  // Standard output on a pipe is written synchronously: a closed pipe fails with EPIPE, as an
  // error event, and the stream is not marked destroyed.
  let failed = false;
  out.once("error", () => {
    failed = true;
  });
  const gone = () => failed || (out as { destroyed?: boolean }).destroyed === true;
  return async (text) => {
    if (gone()) return false;
    if (!out.write(text)) {
      // A pipe closed while full never drains: its close (or error) ends the wait.
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off("drain", done);
          out.off("close", done);
          out.off("error", done);
          resolve();
        };
        out.on("drain", done);
        out.on("close", done);
        out.on("error", done);
      });
    }
    return !gone();
  };
}

/**
 * Writes each item as `JSON.stringify(…, 2)` writes an element at `indent`, a chunk at a time,
 * waiting for `out` to drain. False if none was written. Stops when `out` is gone.
 */
async function writeJsonItems(
  write: (text: string) => Promise<boolean>,
  chunks: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
  indent: string,
): Promise<boolean> {
  let first = true;
  for await (const chunk of chunks) {
    let text = "";
    for (const item of chunk) {
      text += `${first ? "\n" : ",\n"}${JSON.stringify(item, bigints, 2).replace(/^/gm, indent)}`;
      first = false;
    }
    if (!(await write(text))) break;
  }
  return !first;
}

/**
 * Writes `{ ...head, [key]: items }` to `out` as `printJson` writes it, the items a chunk at a
 * time, waiting for `out` to drain: an answer of millions of items is never one string (a
 * JavaScript string holds about 512 MB) nor held twice.
 */
export async function writeJsonStream(
  out: NodeJS.WritableStream,
  head: Record<string, unknown>,
  key: string,
  chunks: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
): Promise<void> {
  const write = drainingWriter(out);
  const opening = JSON.stringify(head, bigints, 2);
  await write(`${opening === "{}" ? "{" : `${opening.slice(0, -2)},`}\n  ${JSON.stringify(key)}: [`);
  const any = await writeJsonItems(write, chunks, "    ");
  await write(any ? "\n  ]\n}\n" : "]\n}\n");
}

/** Writes the items as one JSON array, as `printJson` writes it, a chunk at a time (see `writeJsonStream`). */
export async function writeJsonArrayStream(
  out: NodeJS.WritableStream,
  chunks: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
): Promise<void> {
  const write = drainingWriter(out);
  await write("[");
  const any = await writeJsonItems(write, chunks, "  ");
  await write(any ? "\n]\n" : "]\n");
}

const CONTROL = { "\n": "\\n", "\r": "\\r", "\t": "\\t" } as Record<string, string>;

/** A value's line breaks, tabs and other control characters written as escapes, one row a line. */
export function visible(s: string): string {
  return s.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => CONTROL[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const cell = (v: unknown) =>
  v === null || v === undefined ? "" : visible(typeof v === "object" ? JSON.stringify(v) : String(v));

/** Widest a column is printed; a longer value ends in `…`. */
const MAX_WIDTH = 60;

/**
 * The lines of a plain-text table with these column widths: heading, rule, then `rows`. A value
 * wider than its column (a later row of a streamed table) is written whole up to MAX_WIDTH.
 */
function tableLines(
  rows: readonly Record<string, unknown>[],
  cols: readonly string[],
  width: readonly number[],
): { head: string[]; body: string[] } {
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (v.length > MAX_WIDTH ? `${v.slice(0, MAX_WIDTH - 1)}…` : v.padEnd(width[i]!)))
      .join("  ");
  return {
    head: [color.bold(line(cols.map(visible))), line(width.map((w) => "-".repeat(w)))],
    body: rows.map((r) => line(cols.map((c) => cell(r[c])))),
  };
}

/** Each column as wide as its heading and widest value in `rows`, at most MAX_WIDTH. */
function widths(rows: readonly Record<string, unknown>[], cols: readonly string[]): number[] {
  return cols.map((c) => {
    let w = visible(c).length;
    for (const r of rows) w = Math.max(w, cell(r[c]).length);
    return Math.min(MAX_WIDTH, w);
  });
}

/** A plain-text table: columns sized to their content. */
export function table(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = columns ?? Object.keys(rows[0]!);
  const { head, body } = tableLines(rows, cols, widths(rows, cols));
  return [...head, ...body].join("\n");
}

/** Rows `writeTableStream` sizes the columns by before it prints the first line. */
export const TABLE_SIZING_ROWS = 1000;

/**
 * `table`, written a chunk of rows at a time as they come: the columns are sized by the first
 * TABLE_SIZING_ROWS rows; a wider value later pushes the rest of its line right, rather than
 * being cut. Stops when `out` is gone.
 */
export async function writeTableStream(
  out: NodeJS.WritableStream,
  cols: readonly string[],
  chunks: AsyncIterable<readonly Record<string, unknown>[]>,
): Promise<void> {
  const write = drainingWriter(out);
  let first: Record<string, unknown>[] | undefined = [];
  let width: number[] = [];
  const print = async (rows: readonly Record<string, unknown>[], withHead: boolean) => {
    const { head, body } = tableLines(rows, cols, width);
    const lines = withHead ? [...head, ...body] : body;
    return lines.length === 0 || write(`${lines.join("\n")}\n`);
  };
  for await (const chunk of chunks) {
    if (first) {
      first.push(...chunk);
      if (first.length < TABLE_SIZING_ROWS) continue;
      width = widths(first.slice(0, TABLE_SIZING_ROWS), cols);
      const rows = first;
      first = undefined;
      if (!(await print(rows, true))) return;
    } else if (!(await print(chunk, false))) return;
  }
  if (first?.length === 0) await write("(no rows)\n");
  else if (first) {
    width = widths(first, cols);
    await print(first, true);
  }
}

export const fmt = (n: number) => n.toLocaleString("en-US");

const MARK = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d(?::?\d\d)?)?$/;

/**
 * A watermark or window mark as text, one way whichever source wrote it: a timestamp as DuckDB
 * and PostgreSQL print it (`2026-01-05 11:00:00.25+00`), its digits as written, where an API's
 * window or the clock gives ISO 8601 (`2026-01-05T11:00:00.25Z`). Anything else (a batch id, a
 * number, a date) as it is. For people: `--json` keeps the values as stored.
 */
export function markText(v: string): string {
  const m = MARK.exec(v);
  if (!m) return v;
  const zone = m[3] === undefined ? "" : m[3] === "Z" ? "+00" : m[3].replace(/^([+-]\d\d):?00$/, "$1");
  return `${m[1]} ${m[2]}${zone}`;
}

/** `n` and the noun in its number: "1 new member", "942 new members". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}

export interface ProgressState {
  /** What is happening, e.g. `car_sales: silver`. */
  readonly label: string;
  /** Units done and expected (steps, files); no bar without `total`. */
  readonly done: number;
  readonly total?: number;
  /** Rows handled so far. */
  readonly rows: number;
  readonly elapsedMs: number;
}

/** One progress line: `[#####-----] 3/7  car_sales: silver  1,853 rows  2,345 rows/s  0.8s`. */
export function renderProgress(s: ProgressState, width = 16): string {
  const parts: string[] = [];
  if (s.total !== undefined && s.total > 0) {
    const filled = Math.min(width, Math.round((s.done / s.total) * width));
    parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${s.done}/${s.total}`);
  }
  parts.push(s.label);
  const secs = s.elapsedMs / 1000;
  if (s.rows > 0) {
    parts.push(`${fmt(s.rows)} rows`);
    if (secs > 0) parts.push(`${fmt(Math.round(s.rows / secs))} rows/s`);
  }
  parts.push(`${secs.toFixed(1)}s`);
  return parts.join("  ");
}

type Stream = { isTTY?: boolean; columns?: number; write(s: string): unknown };

/**
 * Progress on stderr, redrawn in place on a terminal; silent when stderr is not a terminal, in CI,
 * and for `--json`. A small renderer rather than a library: one line, redrawn at most 10×/s.
 */
export class Progress {
  private live: boolean;
  private readonly stream: Stream;
  private started = 0;
  private lastDraw = 0;
  private state: Omit<ProgressState, "elapsedMs"> = { label: "", done: 0, rows: 0 };

  private readonly now: () => number;

  constructor(
    stream: Stream = process.stderr,
    live = Boolean(stream.isTTY) && !process.env.CI,
    now: () => number = Date.now,
  ) {
    this.stream = stream;
    this.live = live;
    this.now = now;
  }

  /** No output from here on (`--json`). */
  silence(): void {
    this.done();
    this.live = false;
  }

  /** Starts a new task: counts and the clock restart. */
  start(label: string, total?: number): void {
    this.started = this.now();
    this.state = { label, done: 0, rows: 0, ...(total !== undefined && { total }) };
    this.draw(true);
  }

  /** Moves on: a new label, `advance` units done, `rows` more rows. */
  update(label: string, advance = 0, rows = 0): void {
    this.state = { ...this.state, label, done: this.state.done + advance, rows: this.state.rows + rows };
    this.draw(advance > 0 || rows > 0);
  }

  private draw(force: boolean): void {
    if (!this.live) return;
    const now = this.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    let line = renderProgress({ ...this.state, elapsedMs: now - this.started });
    const cols = this.stream.columns ?? 100;
    if (line.length > cols - 1) line = `${line.slice(0, cols - 2)}…`;
    this.stream.write(`\r\x1b[2K${line}`);
  }

  done(): void {
    if (this.live) this.stream.write("\r\x1b[2K");
  }
}

/** A path or name as it can be pasted into a POSIX shell: quoted only when it has to be. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
