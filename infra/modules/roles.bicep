// Least privilege: the factory reads and writes the lake, reads Key Vault secrets and runs
// Databricks jobs; the access connector reads and writes the lake. Nothing else.
param storageName string
param vaultName string
param workspaceName string
param factoryPrincipalId string
param connectorPrincipalId string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: vaultName
}

resource workspace 'Microsoft.Databricks/workspaces@2024-05-01' existing = {
  name: workspaceName
}

resource factoryLake 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, factoryPrincipalId, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: factoryPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource factorySecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, factoryPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: factoryPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource factoryDatabricks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, factoryPrincipalId, contributor)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributor)
    principalId: factoryPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource connectorLake 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, connectorPrincipalId, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: connectorPrincipalId
    principalType: 'ServicePrincipal'
  }
}
