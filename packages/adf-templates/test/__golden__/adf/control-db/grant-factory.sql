-- Run as a Microsoft Entra admin of the control database. Generated; safe to run again.
IF DATABASE_PRINCIPAL_ID(N'saleslake-dev-adf') IS NULL CREATE USER [saleslake-dev-adf] FROM EXTERNAL PROVIDER;
GO
GRANT EXECUTE ON OBJECT::saleslake.begin_run TO [saleslake-dev-adf];
GRANT EXECUTE ON OBJECT::saleslake.complete_run TO [saleslake-dev-adf];
GRANT EXECUTE ON OBJECT::saleslake.fail_run TO [saleslake-dev-adf];
GO
