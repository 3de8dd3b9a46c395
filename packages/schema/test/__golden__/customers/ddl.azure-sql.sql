IF SCHEMA_ID(N'src') IS NULL EXEC(N'CREATE SCHEMA [src]');
IF OBJECT_ID(N'src.customers', N'U') IS NULL
CREATE TABLE [src].[customers] (
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
    CONSTRAINT [ck_customers_customer_id_pattern] CHECK (([customer_id] IS NULL OR REGEXP_LIKE([customer_id], N'^(C[0-9]{6})$'))),
    CONSTRAINT [ck_customers_full_name_max_length] CHECK (([full_name] IS NULL OR LEN([full_name]) <= 200)),
    CONSTRAINT [ck_customers_email_max_length] CHECK (([email] IS NULL OR LEN([email]) <= 320)),
    CONSTRAINT [ck_customers_email_pattern] CHECK (([email] IS NULL OR REGEXP_LIKE([email], N'^([^@ ]+@[^@ ]+)$'))),
    CONSTRAINT [ck_customers_segment_enum] CHECK (([segment] IS NULL OR [segment] IN (N'consumer', N'business', N'fleet'))),
    CONSTRAINT [ck_customers_region_max_length] CHECK (([region] IS NULL OR LEN([region]) <= 64))
);
EXEC(N'ADD SENSITIVITY CLASSIFICATION TO [src].[customers].[full_name] WITH (LABEL = ''Confidential - GDPR'', INFORMATION_TYPE = ''Name'')');
EXEC(N'ADD SENSITIVITY CLASSIFICATION TO [src].[customers].[email] WITH (LABEL = ''Confidential - GDPR'', INFORMATION_TYPE = ''Contact Info'')');
