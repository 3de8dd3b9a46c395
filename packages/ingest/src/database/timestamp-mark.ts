const MARK = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d(?::?\d\d)?)?$/;

/** A watermark timestamp taken apart: its whole seconds in UTC, and its fraction as written. */
export interface TimestampMark {
  /** Milliseconds since the epoch of the whole second, in UTC. */
  readonly utcSecondMs: number;
  /** The fractional digits as written (PostgreSQL's 6, SQL Server's 7), or "" for none. */
  readonly fraction: string;
}

/**
 * Reads `YYYY-MM-DD[T ]hh:mm:ss[.f…][Z|±hh[:mm]]` (no zone is UTC) without going through a
 * millisecond `Date`, so a mark read back keeps every digit the source gave. Undefined if the
 * text is not such a timestamp.
 */
export function parseTimestampMark(text: string): TimestampMark | undefined {
  const m = MARK.exec(text.trim());
  const base = m ? Date.parse(`${m[1]}T${m[2]}Z`) : Number.NaN;
  if (!m || Number.isNaN(base)) return undefined;
  const zone = m[4] ?? "Z";
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes =
      (zone[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  }
  return { utcSecondMs: base - offsetMinutes * 60_000, fraction: m[3] ?? "" };
}
