using '../main.bicep'

// Development: cheapest options, short retention, no Synapse.
param environment = 'dev'
param storageSku = 'Standard_LRS'
param softDeleteDays = 7
param sqlDatabaseSku = 'Basic'
param logRetentionDays = 30
param deploySynapse = false
param sqlAdminGroupName = 'saleslake-dev-sql-admins'
param sqlAdminGroupObjectId = readEnvironmentVariable('SALESLAKE_SQL_ADMIN_GROUP_ID', '00000000-0000-0000-0000-000000000000')
param alertEmail = readEnvironmentVariable('SALESLAKE_ALERT_EMAIL', 'data-platform@example.com')
param deployerIpAddress = readEnvironmentVariable('SALESLAKE_DEPLOYER_IP', '')
