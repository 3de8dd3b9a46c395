IF SCHEMA_ID(N'src') IS NULL EXEC(N'CREATE SCHEMA [src]');
IF OBJECT_ID(N'src.products', N'U') IS NULL
CREATE TABLE [src].[products] (
    [product_id] NVARCHAR(450) NOT NULL,
    [product_name] NVARCHAR(200) NOT NULL,
    [category] NVARCHAR(64) NOT NULL,
    [list_price] DECIMAL(12, 2) NOT NULL,
    [updated_at] DATETIME2(6) NOT NULL,
    CONSTRAINT [pk_products] PRIMARY KEY CLUSTERED ([product_id]),
    CONSTRAINT [ck_products_product_id_pattern] CHECK (([product_id] IS NULL OR REGEXP_LIKE([product_id], N'^(P-[0-9]{5})$'))),
    CONSTRAINT [ck_products_product_name_max_length] CHECK (([product_name] IS NULL OR LEN([product_name]) <= 200)),
    CONSTRAINT [ck_products_category_max_length] CHECK (([category] IS NULL OR LEN([category]) <= 64)),
    CONSTRAINT [ck_products_list_price_min] CHECK (([list_price] IS NULL OR [list_price] >= 0))
);
