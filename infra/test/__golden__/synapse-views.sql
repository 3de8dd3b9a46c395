-- Generated from the saleslake schema (`pnpm generate`, `saleslake generate`): do not edit.
-- Serverless views over the gold Delta tables; run in database saleslake.
CREATE OR ALTER VIEW gold.[dim_branch] AS SELECT * FROM OPENROWSET(BULK N'dim_branch/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_dealer] AS SELECT * FROM OPENROWSET(BULK N'dim_dealer/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_model] AS SELECT * FROM OPENROWSET(BULK N'dim_model/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_date] AS SELECT * FROM OPENROWSET(BULK N'dim_date/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[fact_sales] AS SELECT * FROM OPENROWSET(BULK N'fact_sales/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[agg_sales_daily] AS SELECT * FROM OPENROWSET(BULK N'agg_sales_daily/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_customer] AS SELECT * FROM OPENROWSET(BULK N'dim_customer/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_product] AS SELECT * FROM OPENROWSET(BULK N'dim_product/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_channel] AS SELECT * FROM OPENROWSET(BULK N'dim_channel/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[dim_order_date] AS SELECT * FROM OPENROWSET(BULK N'dim_order_date/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[fact_order_lines] AS SELECT * FROM OPENROWSET(BULK N'fact_order_lines/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
CREATE OR ALTER VIEW gold.[agg_orders_daily] AS SELECT * FROM OPENROWSET(BULK N'agg_orders_daily/', DATA_SOURCE = N'saleslake_gold', FORMAT = 'DELTA') AS rows;
GO
