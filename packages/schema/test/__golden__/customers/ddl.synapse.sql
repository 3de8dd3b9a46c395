IF SCHEMA_ID(N'silver') IS NULL EXEC(N'CREATE SCHEMA [silver]');
IF OBJECT_ID(N'silver.customers', N'U') IS NULL
CREATE TABLE [silver].[customers] (
    [customer_id] NVARCHAR(450) NOT NULL,
    [full_name] NVARCHAR(200) NOT NULL,
    [email] NVARCHAR(320) NULL,
    [segment] NVARCHAR(8) NOT NULL,
    [region] NVARCHAR(64) NOT NULL,
    [updated_at] DATETIME2(6) NOT NULL,
    [is_deleted] BIT NULL,
    [valid_from] DATETIME2(6) NOT NULL,
    [valid_to] DATETIME2(6) NULL,
    [is_current] BIT NOT NULL,
    [_batch_id] NVARCHAR(64) NOT NULL,
    [_source_file] NVARCHAR(1024) NOT NULL,
    [_row_number] BIGINT NOT NULL,
    [_ingested_at] DATETIME2(6) NOT NULL
)
WITH (DISTRIBUTION = HASH([customer_id]), CLUSTERED COLUMNSTORE INDEX);
EXEC(N'ADD SENSITIVITY CLASSIFICATION TO [silver].[customers].[full_name] WITH (LABEL = ''Confidential - GDPR'', INFORMATION_TYPE = ''Name'')');
EXEC(N'ADD SENSITIVITY CLASSIFICATION TO [silver].[customers].[email] WITH (LABEL = ''Confidential - GDPR'', INFORMATION_TYPE = ''Contact Info'')');
