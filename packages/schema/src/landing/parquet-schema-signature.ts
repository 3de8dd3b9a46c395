/**
 * DuckDB SQL giving each Parquet file of `files` (a DuckDB list of paths, quoted) its schema
 * signature: a row per file, `f` its name and `ts` every field of each schema element after the
 * root, in the file's order, as JSON (name, physical type, length, repetition, children,
 * converted and logical type, scale, precision). Files whose signatures agree can be read together
 * by either engine, since a read of several Parquet files takes one file's schema for all.
 * A schema lists its root first, and the root's name is the writer's own ("schema",
 * "duckdb_schema", "spark_schema"), so it is told by its place, not its name.
 */
export function parquetSchemaSignatureSql(files: string): string {
  return `SELECT file_name AS f,
  to_json(list({n: name, t: type, l: type_length, r: repetition_type, c: num_children, ct: converted_type, s: scale, p: precision, lt: logical_type} ORDER BY i) FILTER (WHERE i > root)) AS ts
FROM (SELECT *, min(i) OVER (PARTITION BY file_name) AS root FROM (SELECT *, row_number() OVER () AS i FROM parquet_schema(${files})))
GROUP BY file_name`;
}
