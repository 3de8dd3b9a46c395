IF SCHEMA_ID(N'silver') IS NULL EXEC(N'CREATE SCHEMA [silver]');
IF OBJECT_ID(N'silver.products', N'U') IS NULL
CREATE TABLE [silver].[products] (
    [product_id] NVARCHAR(450) NOT NULL,
    [product_name] NVARCHAR(200) NOT NULL,
    [category] NVARCHAR(64) NOT NULL,
    [list_price] DECIMAL(12, 2) NOT NULL,
    [updated_at] DATETIME2(6) NOT NULL,
    [_batch_id] NVARCHAR(64) NOT NULL,
    [_source_file] NVARCHAR(1024) NOT NULL,
    [_row_number] BIGINT NOT NULL,
    [_ingested_at] DATETIME2(6) NOT NULL,
    CONSTRAINT [pk_products] PRIMARY KEY NONCLUSTERED ([product_id]) NOT ENFORCED
)
WITH (DISTRIBUTION = HASH([product_id]), CLUSTERED COLUMNSTORE INDEX);
