IF SCHEMA_ID(N'silver') IS NULL EXEC(N'CREATE SCHEMA [silver]');
IF OBJECT_ID(N'silver.sales_order_lines', N'U') IS NULL
CREATE TABLE [silver].[sales_order_lines] (
    [order_id] NVARCHAR(10) NOT NULL,
    [line_number] INT NOT NULL,
    [order_date] DATE NOT NULL,
    [customer_id] NVARCHAR(7) NOT NULL,
    [product_id] NVARCHAR(7) NOT NULL,
    [quantity] INT NOT NULL,
    [unit_price] DECIMAL(12, 2) NOT NULL,
    [discount_pct] DECIMAL(5, 2) NULL,
    [currency] NVARCHAR(3) NOT NULL,
    [status] NVARCHAR(9) NOT NULL,
    [channel] NVARCHAR(32) NULL,
    [updated_at] DATETIME2(6) NOT NULL,
    [is_deleted] BIT NULL,
    [_batch_id] NVARCHAR(64) NOT NULL,
    [_source_file] NVARCHAR(1024) NOT NULL,
    [_row_number] BIGINT NOT NULL,
    [_ingested_at] DATETIME2(6) NOT NULL,
    CONSTRAINT [pk_sales_order_lines] PRIMARY KEY NONCLUSTERED ([order_id], [line_number]) NOT ENFORCED
)
WITH (DISTRIBUTION = HASH([order_id]), CLUSTERED COLUMNSTORE INDEX);
