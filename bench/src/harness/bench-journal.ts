import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DeltaTally } from "../workload/order-lines-workload.ts";
import { BenchError } from "./bench-error.ts";
import type { BenchOptions } from "./bench-options.ts";
import type { IncrementsResult, IngestResult } from "./bench-results.ts";
import type { Sample } from "./run-contender.ts";

/** One sitting of a run: a fresh start, or a resume after an interruption. */
export interface Sitting {
  readonly date: string;
  /** One-minute load average when the sitting began. */
  readonly loadAverage: number;
}

type Entry =
  | { readonly kind: "header"; readonly fingerprint: string; readonly options: BenchOptions }
  | ({ readonly kind: "sitting" } & Sitting)
  | { readonly kind: "sample"; readonly case: string; readonly contender: string; readonly sample: Sample }
  | { readonly kind: "error"; readonly case: string; readonly contender: string; readonly error: string }
  | { readonly kind: "delta"; readonly case: string; readonly rows: number; readonly tally: DeltaTally }
  | { readonly kind: "ingest"; readonly result: IngestResult }
  | { readonly kind: "increments"; readonly result: IncrementsResult | { readonly error: string } };

/**
 * What a run has measured so far, one JSON line per finished measurement, appended as it
 * finishes: a run that is interrupted (Ctrl-C, a closed laptop, a CI time limit) is resumed
 * with `pnpm bench --resume` and measures only what is missing. A run resumes only on the code
 * it began with (`fingerprint`), so every figure of one results file comes from the same code.
 */
export class BenchJournal {
  readonly path: string;
  private readonly entries: Entry[];

  private constructor(path: string, entries: Entry[]) {
    this.path = path;
    this.entries = entries;
  }

  /**
   * Refuses to start afresh over an interrupted run's journal: its measurements can be hours of
   * work that `--resume` would keep. `pnpm bench --fresh` discards them on purpose.
   */
  static refuseToReplace(path: string): void {
    if (!existsSync(path)) return;
    const pending = new BenchJournal(path, readEntries(path));
    const begun = pending.sittings[0]?.date;
    const measured = pending.entries.filter((e) => e.kind === "sample").length;
    throw new BenchError(
      "RUN_PENDING",
      `an interrupted run${begun ? ` begun ${begun}` : ""} is in ${dirname(path)}, with ${measured} measurement${measured === 1 ? "" : "s"} taken`,
      "Continue it with pnpm bench --resume, or discard it and start afresh with pnpm bench --fresh.",
    );
  }

  /** A new journal for a fresh run (any earlier one is replaced; see refuseToReplace). */
  static create(path: string, fingerprint: string, options: BenchOptions): BenchJournal {
    mkdirSync(dirname(path), { recursive: true });
    const header: Entry = { kind: "header", fingerprint, options };
    writeFileSync(path, `${JSON.stringify(header)}\n`);
    return new BenchJournal(path, [header]);
  }

  /** The interrupted run's journal; refused when there is none or the code has changed since. */
  static resume(path: string, fingerprint: string): BenchJournal {
    if (!existsSync(path)) {
      throw new BenchError(
        "NOTHING_TO_RESUME",
        `no interrupted run to resume (${path} does not exist)`,
        "Start a run without --resume; it is resumable from its first finished measurement.",
      );
    }
    const entries = readEntries(path);
    const header = entries[0];
    if (header?.kind !== "header") {
      throw new BenchError(
        "NOTHING_TO_RESUME",
        `${path} is not a bench journal`,
        "Start a run without --resume.",
      );
    }
    if (header.fingerprint !== fingerprint) {
      throw new BenchError(
        "RESUME_REFUSED",
        `the code has changed since the interrupted run began (${header.fingerprint} then, ${fingerprint} now): its figures and new ones would not be comparable`,
        "Check out the code the run began on, or start afresh with pnpm bench --fresh.",
      );
    }
    return new BenchJournal(path, entries);
  }

  get options(): BenchOptions {
    return (this.entries[0] as Extract<Entry, { kind: "header" }>).options;
  }

  get sittings(): Sitting[] {
    return this.entries.flatMap((e) =>
      e.kind === "sitting" ? [{ date: e.date, loadAverage: e.loadAverage }] : [],
    );
  }

  /** Samples measured so far for one contender on one case, in the order they were taken. */
  samples(caseId: string, contender: string): Sample[] {
    return this.entries.flatMap((e) =>
      e.kind === "sample" && e.case === caseId && e.contender === contender ? [e.sample] : [],
    );
  }

  error(caseId: string, contender: string): string | undefined {
    const e = this.entries.find((x) => x.kind === "error" && x.case === caseId && x.contender === contender);
    return e?.kind === "error" ? e.error : undefined;
  }

  /** The generated delta of a case, as the generator described it. */
  deltaFile(caseId: string): { readonly rows: number; readonly tally: DeltaTally } | undefined {
    const e = this.entries.find((x) => x.kind === "delta" && x.case === caseId);
    return e?.kind === "delta" ? { rows: e.rows, tally: e.tally } : undefined;
  }

  ingest(contender: string): IngestResult | undefined {
    const e = this.entries.find((x) => x.kind === "ingest" && x.result.contender === contender);
    return e?.kind === "ingest" ? e.result : undefined;
  }

  increments(): IncrementsResult | { readonly error: string } | undefined {
    const e = this.entries.find((x) => x.kind === "increments");
    return e?.kind === "increments" ? e.result : undefined;
  }

  beginSitting(sitting: Sitting): void {
    this.append({ kind: "sitting", ...sitting });
  }
  recordSample(caseId: string, contender: string, sample: Sample): void {
    this.append({ kind: "sample", case: caseId, contender, sample });
  }
  recordError(caseId: string, contender: string, error: string): void {
    this.append({ kind: "error", case: caseId, contender, error });
  }
  recordDeltaFile(caseId: string, rows: number, tally: DeltaTally): void {
    this.append({ kind: "delta", case: caseId, rows, tally });
  }
  recordIngest(result: IngestResult): void {
    this.append({ kind: "ingest", result });
  }
  recordIncrements(result: IncrementsResult | { readonly error: string }): void {
    this.append({ kind: "increments", result });
  }

  private append(entry: Entry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    this.entries.push(entry);
  }
}

/** The journal's entries; a line cut short by an interruption is the one measurement lost. */
function readEntries(path: string): Entry[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Entry];
      } catch {
        return [];
      }
    });
}
