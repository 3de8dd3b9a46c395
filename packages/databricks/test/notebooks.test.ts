import { spawnSync } from "node:child_process";
import { carSales, carSalesStar, defineEntity, salesOrderLines, salesOrderStar, t } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { commitNotebook, generateNotebooks, jobDefinition, maintenanceNotebook } from "../src/index.ts";

const cases = [
  ["car_sales", carSales, carSalesStar],
  ["sales_order_lines", salesOrderLines, salesOrderStar],
] as const;

describe("generated notebooks", () => {
  it.each(cases)("%s: one per step, widgets, JSON exit; whole-text goldens", async (entity, e, star) => {
    const notebooks = [...generateNotebooks(e, star), commitNotebook(e), maintenanceNotebook(e, star)];
    expect(notebooks.map((n) => n.path)[0]).toBe(`/Workspace/saleslake/${entity}/bronze`);
    expect(notebooks.map((n) => n.stepId).slice(-2)).toEqual(["commit", "maintenance"]);
    for (const nb of notebooks) {
      expect(nb.source.startsWith("# Databricks notebook source\n")).toBe(true);
      expect(nb.source).toContain('dbutils.widgets.text(_p, "")');
      expect(nb.source).toContain("dbutils.notebook.exit(json.dumps(counts))");
      // Unity Catalog three-part names only: every table is `catalog`.`schema`.`table`.
      expect(nb.source).not.toMatch(/(?:INTO|FROM|TABLE|EXISTS) `(?!\$\{catalog\}`)[a-z_]+`\.`/);
      await expect(nb.source).toMatchFileSnapshot(`__golden__/${entity}/${nb.stepId}.py`);
    }
  });

  it("a literal of the schema's reaches Spark as written: not ending a Python string, not read as a placeholder", () => {
    const tricky = defineEntity({
      name: "tricky",
      columns: {
        id: t.string().pattern('[A-Z]+"""x'),
        note: t.string().nullable().pattern('.*\\\\|.*"'),
        currency: t.enum(["US$$", "$catalog", "a${b}"]),
        updated_at: t.timestamp(),
      },
      key: ["id"],
      sequence: "updated_at",
    });
    const notebooks = [...generateNotebooks(tricky), commitNotebook(tricky), maintenanceNotebook(tricky)];
    // Python parses each notebook and gives back the SQL strings that run() is called with, as
    // run() hands them to Spark: its widgets' placeholders filled in.
    const script = `import ast, json, sys
from string import Template
params = {"catalog": "main", "run_id": "r1", "batch_id": "b1", "window_low": "", "window_high": "", "lake_root": "/lake", "full_refresh": "false", "vacuum_retain_hours": "168"}
out = []
for src in json.load(sys.stdin):
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("run", "write_once") and isinstance(node.args[0], ast.Constant):
            out.append(Template(node.args[0].value).safe_substitute(params))
print(json.dumps(out))`;
    const r = spawnSync("python3", ["-c", script], {
      input: JSON.stringify(notebooks.map((n) => n.source)),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    const sql: string[] = JSON.parse(r.stdout);
    expect(sql.some((s) => s.includes(`RLIKE '^([A-Z]+"""x)$'`))).toBe(true);
    expect(sql.some((s) => s.includes(`RLIKE '^(.*\\\\\\\\|.*")$'`))).toBe(true);
    expect(sql.some((s) => s.includes(`IN ('US$$', '$catalog', 'a\${b}')`))).toBe(true);
    expect(sql.some((s) => s.includes("`main`.`silver`.`tricky`"))).toBe(true);
    expect(sql.join("\n")).not.toMatch(/\$\{(catalog|run_id|batch_id)\}/);
    // Where the raw form is safe, it stays: the goldens above read as SQL.
    expect(notebooks[0]!.source).toMatch(/^run\(r"""CREATE TABLE IF NOT EXISTS/m);
  });

  it("bronze: both writes guarded on their own by a Delta idempotent write, no whole-notebook skip", () => {
    const bronze = generateNotebooks(salesOrderLines, salesOrderStar)[0]!.source;
    expect(bronze).toContain(
      'spark.conf.set("spark.databricks.delta.write.txnAppId", "saleslake/" + ENTITY + "/" + batch_id)',
    );
    // Each made only when it has rows, after the stage's counts: a write_once of no rows is
    // still a Delta commit.
    const guarded = [
      ...bronze.matchAll(
        /^if counts\["(\w+)"\]:\n {4}write_once\(r"""INSERT INTO `\$\{catalog\}`\.`(\w+)`/gm,
      ),
    ].map((m) => [m[1], m[2]]);
    expect(guarded).toEqual([
      ["rows_quarantined", "quarantine"],
      ["rows_accepted", "bronze"],
    ]);
    expect(bronze.indexOf("AS rows_quarantined FROM")).toBeLessThan(bronze.indexOf('write_once(r"""INSERT'));
    expect(bronze).not.toMatch(/^run\(r"""INSERT INTO `\$\{catalog\}`\.`(bronze|quarantine)`/m);
    expect(bronze).not.toContain("already applied");
  });

  it("bronze: a batch's small CSV and JSON files in one read, CSV named by the manifest's header; groupRows checked", () => {
    const bronze = (o = {}) => generateNotebooks(salesOrderLines, salesOrderStar, o)[0]!.source;
    expect(bronze()).toContain("\nGROUP_ROWS = 100000\n");
    expect(bronze({ groupRows: 0 })).toContain("\nGROUP_ROWS = 0\n");
    const job = jobDefinition(salesOrderLines, salesOrderStar, { groupRows: 5 });
    expect(job.notebooks.find((n) => n.stepId === "bronze")?.source).toContain("\nGROUP_ROWS = 5\n");
    expect(bronze()).toContain('.csv([batch_dir + "/" + f["path"] for f in files])');
    expect(bronze()).toContain('paths = [batch_dir + "/" + f["path"] for f in files]');
    expect(bronze()).toContain(".json(paths)");
    expect(bronze()).toContain('read = read_csv if manifest["format"] == "csv" else read_json');
    expect(bronze()).toContain(
      "spark.read.schema(T.StructType([T.StructField(c, T.StringType()) for c in names + extra]))",
    );
    expect(bronze()).not.toContain('option("inferSchema"');
    for (const groupRows of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => bronze({ groupRows })).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    }
  });

  it("DDL: layout from the schema, change data feed, deletion vectors on silver, CHECK constraints from the rules", () => {
    const orders = generateNotebooks(salesOrderLines, salesOrderStar)[0]!.source;
    expect(orders).toMatch(
      /`silver`\.`sales_order_lines` \([\s\S]*?\) USING DELTA CLUSTER BY \(`order_date`, `customer_id`\) TBLPROPERTIES \('delta\.enableChangeDataFeed' = 'true', 'delta\.enableDeletionVectors' = 'true'\)"""\)/,
    );
    // Gold tables stay readable by Synapse serverless SQL, which reads Delta 1.0: no deletion vectors.
    expect(orders).toMatch(
      /`gold`\.`fact_order_lines` \([\s\S]*?\) USING DELTA TBLPROPERTIES \('delta\.enableChangeDataFeed' = 'true'\)"""\)/,
    );
    const byDay = { ...salesOrderLines, partitionBy: ["order_date"], clusterBy: ["customer_id"] };
    expect(generateNotebooks(byDay, salesOrderStar)[0]!.source).toMatch(
      /`silver`\.`sales_order_lines` \([\s\S]*?\) USING DELTA PARTITIONED BY \(`order_date`\) TBLPROPERTIES /,
    );
    expect(orders).toContain('"ck_quantity_min":"(`quantity` IS NULL OR `quantity` >= 1)"');
    const cars = generateNotebooks(carSales, carSalesStar)[0]!.source;
    expect(cars).toMatch(
      /`silver`\.`car_sales` \([\s\S]*?\) USING DELTA CLUSTER BY \(`sale_date`\) TBLPROPERTIES/,
    );
    expect(cars).toMatch(
      /`gold`\.`fact_sales` \([\s\S]*?\) USING DELTA TBLPROPERTIES \('delta\.enableChangeDataFeed' = 'true'\)/,
    );
    // Liquid clustering is applied by OPTIMIZE; a partitioned table is Z-ordered instead.
    expect(maintenanceNotebook(byDay, salesOrderStar).source).toContain(' ZORDER BY (`customer_id`)"');
    expect(maintenanceNotebook(salesOrderLines, salesOrderStar).source).not.toContain("ZORDER");
    expect(maintenanceNotebook(carSales, carSalesStar).source).not.toContain("ZORDER");
  });

  it("full_refresh: silver rebuilt from all of bronze, the fact and the aggregate emptied first, the rest alike", () => {
    const byStep = Object.fromEntries(
      generateNotebooks(salesOrderLines, salesOrderStar).map((n) => [n.stepId, n.source]),
    );
    const branch = 'if params["full_refresh"] == "true":\n';
    const silver = byStep.silver!;
    // Each side's statements, over every branch of the notebook (a statement's SQL may run on in
    // lines that are not indented; a statement out of any branch ends the one before).
    const sides = { refresh: [] as string[], incremental: [] as string[] };
    let side: keyof typeof sides | undefined;
    for (const l of silver.split("\n")) {
      if (`${l}\n` === branch) side = "refresh";
      else if (l === "else:") side = "incremental";
      else if (/^(run|write_once)\(|^# COMMAND/.test(l)) side = undefined;
      else if (side) sides[side].push(l);
    }
    const [refresh, incremental] = [sides.refresh.join("\n"), sides.incremental.join("\n")];
    expect(refresh).toMatch(
      /^ {4}run\(r"""DELETE FROM `\$\{catalog\}`\.`silver`\.`sales_order_lines`"""\)\n/,
    );
    // Incrementally silver reads the run's bronze rows; a full refresh reads all of them.
    expect(incremental).toContain("b._run_id = '${run_id}'");
    expect(refresh).not.toContain("b._run_id = '${run_id}'");
    // Silver emptied first, and the key it is rebuilt by recorded last (the bronze notebook
    // refuses a run by another key while silver holds rows).
    expect(refresh).toContain(
      `\n    run(r"""ALTER TABLE \`\${catalog}\`.\`silver\`.\`sales_order_lines\` SET TBLPROPERTIES ('saleslake.merge_key' = '["order_id","line_number"]')""")`,
    );
    expect(refresh.match(/^ {4}run\(/gm)).toHaveLength(incremental.match(/^ {4}run\(/gm)!.length + 2);
    // The fact's and the aggregate's steps are named for their tables.
    for (const table of ["fact_order_lines", "agg_orders_daily"]) {
      expect(byStep[table]).toContain(
        `${branch}    run(r"""DELETE FROM \`\${catalog}\`.\`gold\`.\`${table}\`""")\nrun(`,
      );
      expect(byStep[table]).not.toContain("\nelse:\n");
    }
    for (const step of ["bronze", "dim_customer", "dim_order_date"])
      expect(byStep[step]).not.toContain(branch);
  });

  it("widgets are checked before any SQL sees them", () => {
    const src = commitNotebook(carSales).source;
    const check = src.indexOf('raise ValueError(f"widget');
    expect(check).toBeGreaterThan(0);
    expect(check).toBeLessThan(src.indexOf("run(r"));
    expect(src).toContain('"batch_id":"^[A-Za-z0-9_.:-]*$"');
    expect(src).toContain('"catalog":"^[A-Za-z_][A-Za-z0-9_]*$"');
  });
});
