using '../main.bicep'

// Test: like production in shape (Synapse on), smaller sizes.
param environment = 'test'
param storageSku = 'Standard_LRS'
param softDeleteDays = 7
param sqlDatabaseSku = 'Basic'
param logRetentionDays = 30
param deploySynapse = true
param sqlAdminGroupName = 'saleslake-test-sql-admins'
param sqlAdminGroupObjectId = readEnvironmentVariable('SALESLAKE_SQL_ADMIN_GROUP_ID', '00000000-0000-0000-0000-000000000000')
param alertEmail = readEnvironmentVariable('SALESLAKE_ALERT_EMAIL', 'data-platform@example.com')
param deployerIpAddress = readEnvironmentVariable('SALESLAKE_DEPLOYER_IP', '')
