// The saleslake Azure estate for one environment (env/<name>.bicepparam). Schema-derived values
// (lake containers) come from generated/lake.json, written by `pnpm generate` from the schema.
targetScope = 'resourceGroup'

@allowed([
  'dev'
  'test'
  'prod'
])
param environment string
@description('Region. Default: the resource group\'s.')
param location string = resourceGroup().location
@description('Prefix of every resource name. Default `saleslake`.')
param prefix string = 'saleslake'
@description('Lake replication. Default `Standard_ZRS`.')
param storageSku string = 'Standard_ZRS'
@description('Days deleted blobs, containers and secrets stay recoverable. Default `14`.')
param softDeleteDays int = 14
@description('Control database SKU. Default `Basic`.')
param sqlDatabaseSku string = 'Basic'
@description('Days Log Analytics keeps logs. Default `30`.')
param logRetentionDays int = 30
@description('Create the Synapse reporting workspace. Default `false`.')
param deploySynapse bool = false
@description('Entra group that administers SQL and Synapse: display name and object id.')
param sqlAdminGroupName string
param sqlAdminGroupObjectId string
@description('Where failed-run alerts go.')
param alertEmail string
@description('Public IP address the deploy runs from, let through the SQL and Synapse firewalls. Default: none (a deploy from inside Azure).')
param deployerIpAddress string = ''

var lake = loadJsonContent('generated/lake.json')
var suffix = uniqueString(resourceGroup().id, environment)
var tags = {
  app: 'saleslake'
  environment: environment
}
var databricksName = '${prefix}-${environment}-dbw'

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('${prefix}${environment}${suffix}', 24)
    location: location
    containers: lake.containers
    skuName: storageSku
    softDeleteDays: softDeleteDays
    tags: tags
  }
}

module factory 'modules/data-factory.bicep' = {
  name: 'factory'
  params: {
    name: '${prefix}-${environment}-adf-${suffix}'
    location: location
    tags: tags
  }
}

module databricks 'modules/databricks.bicep' = {
  name: 'databricks'
  params: {
    name: databricksName
    location: location
    tags: tags
  }
}

module sql 'modules/sql.bicep' = {
  name: 'sql'
  params: {
    name: '${prefix}-${environment}-sql-${suffix}'
    location: location
    adminLogin: sqlAdminGroupName
    adminObjectId: sqlAdminGroupObjectId
    databaseSku: sqlDatabaseSku
    deployerIpAddress: deployerIpAddress
    tags: tags
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'vault'
  params: {
    name: take('${prefix}-${environment}-kv-${suffix}', 24)
    location: location
    softDeleteDays: max(softDeleteDays, 7)
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${prefix}-${environment}-logs'
    location: location
    factoryName: factory.outputs.name
    databricksName: databricks.outputs.name
    storageName: storage.outputs.name
    alertEmail: alertEmail
    retentionDays: logRetentionDays
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    storageName: storage.outputs.name
    vaultName: vault.outputs.name
    workspaceName: databricks.outputs.name
    factoryPrincipalId: factory.outputs.principalId
    connectorPrincipalId: databricks.outputs.connectorPrincipalId
  }
}

module synapse 'modules/synapse.bicep' = if (deploySynapse) {
  name: 'synapse'
  params: {
    name: '${prefix}-${environment}-syn-${suffix}'
    location: location
    storageName: storage.outputs.name
    goldContainer: lake.zones.gold
    adminObjectId: sqlAdminGroupObjectId
    deployerIpAddress: deployerIpAddress
    tags: tags
  }
}

output storageAccount string = storage.outputs.name
output storageAccountId string = storage.outputs.id
output lakeDfsEndpoint string = storage.outputs.dfsEndpoint
output dataFactory string = factory.outputs.name
output factoryPrincipalId string = factory.outputs.principalId
output databricksWorkspace string = databricks.outputs.name
output databricksUrl string = databricks.outputs.url
output databricksWorkspaceId string = databricks.outputs.id
output accessConnectorId string = databricks.outputs.connectorId
output sqlServer string = sql.outputs.fqdn
output sqlDatabase string = sql.outputs.database
output sqlServerPrincipalId string = sql.outputs.principalId
output keyVaultName string = vault.outputs.name
output keyVaultUri string = vault.outputs.uri
output synapseServerlessEndpoint string = deploySynapse ? synapse!.outputs.serverlessEndpoint : ''
