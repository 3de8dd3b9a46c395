// The saleslake Azure estate for one environment. Schema-derived values (lake containers)
// come from generated/lake.json, written by `pnpm generate` from the schema.
targetScope = 'resourceGroup'

@allowed([
  'dev'
  'test'
  'prod'
])
param environment string
param location string = resourceGroup().location
param prefix string = 'saleslake'
param sqlAdminGroupName string
param sqlAdminGroupObjectId string
param alertEmail string

var lake = loadJsonContent('generated/lake.json')
var suffix = uniqueString(resourceGroup().id, environment)
var tags = {
  app: 'saleslake'
  environment: environment
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('${prefix}${environment}${suffix}', 24)
    location: location
    containers: lake.containers
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
    name: '${prefix}-${environment}-dbw'
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
    tags: tags
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'vault'
  params: {
    name: take('${prefix}-${environment}-kv-${suffix}', 24)
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${prefix}-${environment}-logs'
    location: location
    factoryName: factory.outputs.name
    alertEmail: alertEmail
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    storageName: storage.outputs.name
    vaultName: vault.outputs.name
    workspaceName: '${prefix}-${environment}-dbw'
    factoryPrincipalId: factory.outputs.principalId
    connectorPrincipalId: databricks.outputs.connectorPrincipalId
  }
}

output storageAccount string = storage.outputs.name
output dataFactory string = factory.outputs.name
output databricksUrl string = databricks.outputs.url
output sqlServer string = sql.outputs.fqdn
