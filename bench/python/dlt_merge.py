"""dlt loading one CSV into DuckDB with write_disposition="merge" on the same primary key.

Usage: python dlt_merge.py <state_dir> <csv>. Uses dlt's filesystem source with its DuckDB CSV
reader (Arrow batches), dedupes on the key keeping the newest updated_at (dedup_sort), and
merges into <state_dir>/dlt.duckdb. Prints one JSON line: seconds (pipeline.run, not the
Python start), counts, peak RSS.
"""
import json
import os
import sys
import time

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # no network calls from a benchmark

import dlt  # noqa: E402
from dlt.sources.filesystem import filesystem, read_csv_duckdb  # noqa: E402

from peak_memory import peak_mb  # noqa: E402

state, csv = sys.argv[1], os.path.abspath(sys.argv[2])
pipeline = dlt.pipeline(
    pipeline_name="bench_order_lines",
    pipelines_dir=os.path.join(state, "dlt_pipelines"),
    destination=dlt.destinations.duckdb(os.path.join(state, "dlt.duckdb")),
    dataset_name="silver",
    progress="log" if os.environ.get("BENCH_VERBOSE") else None,
)
files = filesystem(bucket_url="file://" + os.path.dirname(csv), file_glob=os.path.basename(csv))
lines = (files | read_csv_duckdb(chunk_size=500_000)).with_name("sales_order_lines")
lines.apply_hints(
    write_disposition="merge",
    primary_key=["order_id", "line_no"],
    columns={"updated_at": {"dedup_sort": "desc"}},
)

t0 = time.perf_counter()
pipeline.run(lines)
seconds = time.perf_counter() - t0
with pipeline.sql_client() as client:
    rows = client.execute_sql("SELECT count(*) FROM sales_order_lines")[0][0]
print(json.dumps({"seconds": seconds, "counts": {"silverRows": rows}, "selfPeakMb": peak_mb()}), flush=True)
