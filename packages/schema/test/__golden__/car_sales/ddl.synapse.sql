IF SCHEMA_ID(N'silver') IS NULL EXEC(N'CREATE SCHEMA [silver]');
IF OBJECT_ID(N'silver.car_sales', N'U') IS NULL
CREATE TABLE [silver].[car_sales] (
    [branch_id] NVARCHAR(16) NOT NULL,
    [dealer_id] NVARCHAR(16) NOT NULL,
    [model_id] NVARCHAR(16) NOT NULL,
    [revenue] BIGINT NOT NULL,
    [units_sold] INT NOT NULL,
    [date_id] NVARCHAR(16) NOT NULL,
    [day] INT NOT NULL,
    [month] INT NOT NULL,
    [year] INT NOT NULL,
    [sale_date] DATE NOT NULL,
    [branch_name] NVARCHAR(200) NOT NULL,
    [dealer_name] NVARCHAR(200) NULL,
    [product_name] NVARCHAR(200) NOT NULL,
    [_batch_id] NVARCHAR(64) NOT NULL,
    [_source_file] NVARCHAR(1024) NOT NULL,
    [_row_number] BIGINT NOT NULL,
    [_ingested_at] DATETIME2(6) NOT NULL,
    CONSTRAINT [pk_car_sales] PRIMARY KEY NONCLUSTERED ([branch_id], [dealer_id], [model_id], [date_id]) NOT ENFORCED
)
WITH (DISTRIBUTION = HASH([branch_id]), CLUSTERED COLUMNSTORE INDEX);
EXEC(N'ADD SENSITIVITY CLASSIFICATION TO [silver].[car_sales].[dealer_name] WITH (LABEL = ''Confidential - GDPR'', INFORMATION_TYPE = ''Name'')');
