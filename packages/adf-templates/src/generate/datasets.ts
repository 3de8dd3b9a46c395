import type * as Adf from "@azure/arm-datafactory";
import { adfDatasetStructure, type Entity } from "@saleslake/schema";
import {
  CONTROL_DATASET,
  LINKED_SERVICE,
  landingDataset,
  sourceDataset,
  sourcePostgres,
  sourceSqlLogin,
} from "./artifact-names.ts";
import type { ResolvedOptions, ResolvedSourceTable } from "./factory-options.ts";
import type { DatasetBody, TypePropertiesOf } from "./wire-types.ts";

const ref = (name: string): Adf.LinkedServiceReference => ({
  referenceName: name,
  type: "LinkedServiceReference",
});

function dataset<T extends Adf.DatasetUnion>(
  name: string,
  type: T["type"],
  rest: Omit<DatasetBody["properties"], "type" | "typeProperties">,
  typeProperties: TypePropertiesOf<T, Adf.Dataset>,
): DatasetBody {
  return { name, properties: { type, annotations: ["saleslake"], ...rest, typeProperties } };
}

/**
 * The landing batch folder, `<entity>/ingest_date=<date>/batch=<id>` in the landing zone (the
 * landing contract), under `landing/` when one file system holds every zone.
 */
const batchFolder = (o: ResolvedOptions) => ({
  value: `@concat('${o.zonePrefix("landing")}', dataset().entity, '/ingest_date=', dataset().ingest_date, '/batch=', dataset().batch_id)`,
  type: "Expression",
});

const LANDING_PARAMETERS = (entity: Entity): { [name: string]: Adf.ParameterSpecification } => ({
  entity: { type: "String", defaultValue: entity.name },
  ingest_date: { type: "String" },
  batch_id: { type: "String" },
});

function location(o: ResolvedOptions, fileName: string): Adf.AzureBlobFSLocation {
  return {
    type: "AzureBlobFSLocation",
    fileSystem: o.zoneContainer("landing"),
    folderPath: batchFolder(o),
    fileName,
  };
}

/**
 * Datasets of one entity: the source table (Azure SQL, PostgreSQL) for watermark entities; landing files
 * parameterised by entity and batch, with the schema's source columns: JSON Lines (what Copy
 * lands, as the landing contract says for database sources), Parquet and delimited text (file drops).
 */
export function entityDatasets(entity: Entity, o: ResolvedOptions): DatasetBody[] {
  const structure = adfDatasetStructure(entity);
  const out: DatasetBody[] = [];
  const description = (what: string) => `${entity.name}: ${what}. Generated from the saleslake schema.`;
  if (entity.watermark.kind === "column") {
    const api = o.sourceApi(entity);
    out.push(
      api !== undefined
        ? dataset<Adf.RestResourceDataset>(
            sourceDataset(entity.name),
            "RestResource",
            {
              description: description(`source API ${api.sourceName}`),
              linkedServiceName: { ...ref(LINKED_SERVICE.sourceRest), parameters: { baseUrl: api.baseUrl } },
              // The window's query, which the copy sets: the path with its bounds and page size.
              parameters: { relative_url: { type: "String" } },
              structure,
            },
            { relativeUrl: { value: "@dataset().relative_url", type: "Expression" } },
          )
        : tableDataset(entity, o, o.sourceTable(entity), description("source table"), structure),
      dataset<Adf.JsonDataset>(
        landingDataset(entity.name, "jsonl"),
        "Json",
        {
          description: description("landing batch as JSON Lines"),
          linkedServiceName: ref(LINKED_SERVICE.lake),
          parameters: LANDING_PARAMETERS(entity),
          structure,
        },
        { location: location(o, "part-00000.jsonl"), encodingName: "UTF-8" },
      ),
    );
  }
  out.push(
    dataset<Adf.ParquetDataset>(
      landingDataset(entity.name, "parquet"),
      "Parquet",
      {
        description: description("landing batch as Parquet"),
        linkedServiceName: ref(LINKED_SERVICE.lake),
        parameters: LANDING_PARAMETERS(entity),
        structure,
      },
      { location: location(o, "part-00000.parquet"), compressionCodec: "snappy" },
    ),
    dataset<Adf.DelimitedTextDataset>(
      landingDataset(entity.name, "csv"),
      "DelimitedText",
      {
        description: description("landing batch as delimited text"),
        linkedServiceName: ref(LINKED_SERVICE.lake),
        parameters: LANDING_PARAMETERS(entity),
        structure,
      },
      {
        location: location(o, "part-00000.csv"),
        columnDelimiter: ",",
        quoteChar: '"',
        escapeChar: '"',
        firstRowAsHeader: true,
        encodingName: "UTF-8",
      },
    ),
  );
  return out;
}

/** The dataset of an entity's source table: Azure SQL, or PostgreSQL. */
function tableDataset(
  entity: Entity,
  o: ResolvedOptions,
  t: ResolvedSourceTable,
  description: string,
  structure: DatasetBody["properties"]["structure"],
): DatasetBody {
  return t.engine === "postgres"
    ? dataset<Adf.AzurePostgreSqlTableDataset>(
        sourceDataset(entity.name),
        "AzurePostgreSqlTable",
        {
          description: `${description} (PostgreSQL)`,
          linkedServiceName: {
            ...ref(sourcePostgres(t.login.keyVault, o.keyVaultName)),
            parameters: {
              server: t.server,
              port: t.port,
              database: t.database,
              userName: t.login.user,
              passwordSecret: t.login.passwordSecret,
            },
          },
          structure,
        },
        pgTable(t.schema, t.table),
      )
    : dataset<Adf.AzureSqlTableDataset>(
        sourceDataset(entity.name),
        "AzureSqlTable",
        {
          description: description,
          linkedServiceName: t.login
            ? {
                ...ref(sourceSqlLogin(t.login.keyVault, o.keyVaultName)),
                parameters: {
                  server: t.server,
                  database: t.database,
                  userName: t.login.user,
                  passwordSecret: t.login.passwordSecret,
                },
              }
            : {
                ...ref(LINKED_SERVICE.sourceSql),
                parameters: { server: t.server, database: t.database },
              },
          structure,
        },
        sqlTable(t.schema, t.table),
      );
}

/**
 * Azure SQL table properties. The SDK model calls the table's schema `schemaTypePropertiesSchema`
 * (its `schema` is the dataset's column list); on the wire both are `schema`, at different levels.
 */
function sqlTable(schema: string, table: string): TypePropertiesOf<Adf.AzureSqlTableDataset, Adf.Dataset> {
  const wire: Omit<TypePropertiesOf<Adf.AzureSqlTableDataset, Adf.Dataset>, "schemaTypePropertiesSchema"> & {
    schema: string;
  } = { schema, table };
  return wire;
}

/** PostgreSQL table properties: on the wire `schema`, as for `sqlTable`. */
function pgTable(
  schema: string,
  table: string,
): TypePropertiesOf<Adf.AzurePostgreSqlTableDataset, Adf.Dataset> {
  const wire: Omit<
    TypePropertiesOf<Adf.AzurePostgreSqlTableDataset, Adf.Dataset>,
    "schemaTypePropertiesSchema"
  > & { schema: string } = { schema, table };
  return wire;
}

/** The control database, for Lookups that call the ledger's stored procedures. */
export function controlDataset(): DatasetBody {
  return dataset<Adf.AzureSqlTableDataset>(
    CONTROL_DATASET,
    "AzureSqlTable",
    {
      description: "Control database (watermarks and run ledger), for stored procedure Lookups.",
      linkedServiceName: ref(LINKED_SERVICE.controlSql),
    },
    {},
  );
}
