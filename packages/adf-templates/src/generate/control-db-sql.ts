import { AdfError } from "../errors.ts";

/**
 * T-SQL for the control database: the watermark table, the run ledger and the three procedures
 * the pipelines call. Idempotent: run it on every deploy (CREATE OR ALTER, guarded CREATE TABLE).
 * Watermarks are text: fixed-width ISO 8601 UTC times or landing batch ids, which both sort as text.
 */
export function controlDbSql(): string {
  return `-- saleslake control database: watermarks and run ledger. Generated; safe to run again.
SET XACT_ABORT ON;
GO
IF SCHEMA_ID(N'saleslake') IS NULL EXEC(N'CREATE SCHEMA saleslake');
GO
IF OBJECT_ID(N'saleslake.watermarks', N'U') IS NULL
CREATE TABLE saleslake.watermarks (
  entity          nvarchar(128) NOT NULL CONSTRAINT pk_watermarks PRIMARY KEY,
  watermark_value nvarchar(64)  NOT NULL,
  run_id          nvarchar(64)  NOT NULL,
  updated_at      datetime2(3)  NOT NULL CONSTRAINT df_watermarks_updated_at DEFAULT SYSUTCDATETIME()
);
GO
IF OBJECT_ID(N'saleslake.runs', N'U') IS NULL
CREATE TABLE saleslake.runs (
  run_id        nvarchar(64)  NOT NULL CONSTRAINT pk_runs PRIMARY KEY,
  entity        nvarchar(128) NOT NULL,
  pipeline_name nvarchar(256) NULL,
  trigger_name  nvarchar(256) NULL,
  window_start  nvarchar(64)  NULL,
  window_end    nvarchar(64)  NULL,
  status        varchar(16)   NOT NULL CONSTRAINT ck_runs_status CHECK (status IN ('running', 'succeeded', 'failed')),
  old_watermark nvarchar(64)  NULL,
  new_watermark nvarchar(64)  NULL,
  rows_landed   bigint        NULL,
  step_counts   nvarchar(max) NULL,
  error         nvarchar(max) NULL,
  started_at    datetime2(3)  NOT NULL CONSTRAINT df_runs_started_at DEFAULT SYSUTCDATETIME(),
  finished_at   datetime2(3)  NULL
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_runs_entity_started' AND object_id = OBJECT_ID(N'saleslake.runs'))
CREATE INDEX ix_runs_entity_started ON saleslake.runs (entity, started_at DESC);
GO
-- Opens the run (once per run id: an activity retry does not add a second entry) and returns the
-- watermark to read from; '1900-01-01T00:00:00.0000000Z' before the first successful run.
CREATE OR ALTER PROCEDURE saleslake.begin_run
  @run_id nvarchar(64), @entity nvarchar(128), @pipeline_name nvarchar(256) = NULL,
  @trigger_name nvarchar(256) = NULL, @window_start nvarchar(64) = NULL, @window_end nvarchar(64) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @old nvarchar(64) = (SELECT watermark_value FROM saleslake.watermarks WHERE entity = @entity);
  IF NOT EXISTS (SELECT 1 FROM saleslake.runs WHERE run_id = @run_id)
    INSERT INTO saleslake.runs (run_id, entity, pipeline_name, trigger_name, window_start, window_end, status, old_watermark)
    VALUES (@run_id, @entity, @pipeline_name, @trigger_name, NULLIF(@window_start, N''), NULLIF(@window_end, N''), 'running', @old);
  SELECT COALESCE(@old, N'1900-01-01T00:00:00.0000000Z') AS old_watermark;
END;
GO
-- Advances the watermark (never backwards) and closes the run in one transaction; a second call
-- for the same run changes nothing.
CREATE OR ALTER PROCEDURE saleslake.complete_run
  @run_id nvarchar(64), @entity nvarchar(128), @new_watermark nvarchar(64),
  @rows_landed bigint = NULL, @step_counts nvarchar(max) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  BEGIN TRANSACTION;
  IF EXISTS (SELECT 1 FROM saleslake.runs WITH (UPDLOCK, HOLDLOCK) WHERE run_id = @run_id AND status = 'succeeded')
  BEGIN
    COMMIT;
    RETURN;
  END;
  IF NULLIF(@new_watermark, N'') IS NOT NULL
  BEGIN
    UPDATE saleslake.watermarks WITH (UPDLOCK, HOLDLOCK)
      SET watermark_value = @new_watermark, run_id = @run_id, updated_at = SYSUTCDATETIME()
      WHERE entity = @entity AND watermark_value < @new_watermark;
    IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM saleslake.watermarks WHERE entity = @entity)
      INSERT INTO saleslake.watermarks (entity, watermark_value, run_id) VALUES (@entity, @new_watermark, @run_id);
  END;
  UPDATE saleslake.runs
    SET status = 'succeeded', new_watermark = NULLIF(@new_watermark, N''), rows_landed = @rows_landed,
        step_counts = @step_counts, error = NULL, finished_at = SYSUTCDATETIME()
    WHERE run_id = @run_id;
  IF @@ROWCOUNT = 0
    INSERT INTO saleslake.runs (run_id, entity, status, new_watermark, rows_landed, step_counts, finished_at)
    VALUES (@run_id, @entity, 'succeeded', NULLIF(@new_watermark, N''), @rows_landed, @step_counts, SYSUTCDATETIME());
  COMMIT;
END;
GO
-- Records a failed run. Never touches the watermark; never turns a succeeded run into a failed one.
CREATE OR ALTER PROCEDURE saleslake.fail_run
  @run_id nvarchar(64), @entity nvarchar(128), @error nvarchar(max) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  UPDATE saleslake.runs SET status = 'failed', error = @error, finished_at = SYSUTCDATETIME()
    WHERE run_id = @run_id AND status <> 'succeeded';
  IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM saleslake.runs WHERE run_id = @run_id)
    INSERT INTO saleslake.runs (run_id, entity, status, error, finished_at)
    VALUES (@run_id, @entity, 'failed', @error, SYSUTCDATETIME());
END;
GO
`;
}

/**
 * Lets the factory's managed identity (a database user named after the factory) call the
 * procedures and nothing else in the control database; the source database needs db_datareader.
 */
export function controlDbGrantSql(factoryName: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{1,61}[A-Za-z0-9])$/.test(factoryName))
    throw new AdfError(
      "UNSAFE_IDENTIFIER",
      `factory name ${JSON.stringify(factoryName)} is not a Data Factory name`,
      "Factory names are 3-63 letters, digits and hyphens, starting and ending with a letter or digit.",
    );
  return `-- Run as a Microsoft Entra admin of the control database. Generated; safe to run again.
IF DATABASE_PRINCIPAL_ID(N'${factoryName}') IS NULL CREATE USER [${factoryName}] FROM EXTERNAL PROVIDER;
GO
GRANT EXECUTE ON OBJECT::saleslake.begin_run TO [${factoryName}];
GRANT EXECUTE ON OBJECT::saleslake.complete_run TO [${factoryName}];
GRANT EXECUTE ON OBJECT::saleslake.fail_run TO [${factoryName}];
GO
`;
}
