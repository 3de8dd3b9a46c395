using '../main.bicep'

// Production: zone-redundant lake, longer recovery and log retention, Synapse for reporting.
param environment = 'prod'
param storageSku = 'Standard_ZRS'
param softDeleteDays = 30
param sqlDatabaseSku = 'S1'
param logRetentionDays = 90
param deploySynapse = true
param sqlAdminGroupName = 'saleslake-prod-sql-admins'
param sqlAdminGroupObjectId = readEnvironmentVariable('SALESLAKE_SQL_ADMIN_GROUP_ID')
param alertEmail = readEnvironmentVariable('SALESLAKE_ALERT_EMAIL')
param deployerIpAddress = readEnvironmentVariable('SALESLAKE_DEPLOYER_IP', '')
