import { describe, expect, it } from "vitest";
import { describeStatus } from "../src/commands/describe-status.ts";

const entity = {
  entity: "sales_returns",
  last_status: "succeeded",
  last_finished_at: "2026-12-07 04:38:21.496688+00",
  lag_seconds: 12n,
  batches_processed: 3n,
  rows_quarantined: 4n,
  quarantine_open: 1,
};

describe("status as text", () => {
  it("writes each watermark whole, on a line of its own, and says what it is read from", () => {
    const batch = "20261207T043821386Z-133c14eb";
    const out = describeStatus([
      {
        ...entity,
        watermarks: [
          { source: "files", kind: "batch", value: batch },
          {
            source: `returns_db_${"x".repeat(60)}`,
            kind: "column:returned_at",
            value: "2026-02-01 10:00:00+00",
          },
        ],
      },
    ]);
    const lines = out.split("\n").map((l) => l.trimEnd());
    expect(lines[0]).toMatch(/^entity\s+last_status\s+last_finished_at\s+lag_seconds\s+batches_processed/);
    expect(lines[0]).not.toContain("watermarks");
    expect(lines[2]).toMatch(
      /^sales_returns\s+succeeded\s+2026-12-07 04:38:21\.496688\+00\s+12\s+3\s+4\s+1$/,
    );
    expect(lines[3]).toBe("");
    expect(lines[4]).toMatch(/^entity\s+source\s+watermark\s+value$/);
    expect(lines[6]).toMatch(new RegExp(`^sales_returns\\s+files\\s+landing batch\\s+${batch}$`));
    expect(lines[7]).toMatch(/^sales_returns\s+returns_db_x+…\s+returned_at\s+2026-02-01 10:00:00\+00$/);
  });

  it("says when no run has set a watermark, and prints no second table for no entity", () => {
    expect(
      describeStatus([{ ...entity, watermarks: null }])
        .split("\n")
        .at(-1),
    ).toBe("no watermark yet");
    expect(describeStatus([])).toBe("(no rows)");
  });
});
