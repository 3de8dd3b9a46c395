// Optional reporting workspace: serverless SQL views over the gold tables (created at deploy from
// generated/synapse-views.sql). Entra-only, no SQL password; its identity reads gold and owns
// only its own file system.
param name string
param location string
param storageName string
@description('The gold zone container, from generated/lake.json.')
param goldContainer string
@description('Object id of the Entra group that administers the workspace.')
param adminObjectId string
@description('Public IP address of the machine that deploys, let through for the Synapse-views step. Default: none.')
param deployerIpAddress string = ''
param tags object = {}

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageName

  resource blobs 'blobServices' existing = {
    name: 'default'

    resource gold 'containers' existing = {
      name: goldContainer
    }

    // The workspace's own file system, beside the lake zones.
    resource workspaceFs 'containers' = {
      name: 'synapse-${name}'
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

resource workspace 'Microsoft.Synapse/workspaces@2021-06-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    defaultDataLakeStorage: {
      accountUrl: storage.properties.primaryEndpoints.dfs
      filesystem: storage::blobs::workspaceFs.name
      resourceId: storage.id
    }
    azureADOnlyAuthentication: true
    trustedServiceBypassEnabled: true
    publicNetworkAccess: 'Enabled'
    managedResourceGroupName: '${name}-managed'
    cspWorkspaceAdminProperties: {
      initialWorkspaceAdminObjectId: adminObjectId
    }
  }

  // A workspace without firewall rules refuses every connection. Azure services (the deploy from
  // an Azure-hosted runner, Power BI) get in; identities still need access to the views.
  resource azureServices 'firewallRules' = {
    name: 'AllowAllWindowsAzureIps'
    properties: {
      startIpAddress: '0.0.0.0'
      endIpAddress: '0.0.0.0'
    }
  }

  // The deploying machine, when it is outside Azure.
  resource deployer 'firewallRules' = if (!empty(deployerIpAddress)) {
    name: 'saleslake-deployer'
    properties: {
      startIpAddress: deployerIpAddress
      endIpAddress: deployerIpAddress
    }
  }
}

resource readsGold 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobs::gold.id, workspace.id, storageBlobDataReader)
  scope: storage::blobs::gold
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: workspace.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource ownsFs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobs::workspaceFs.id, workspace.id, storageBlobDataContributor)
  scope: storage::blobs::workspaceFs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: workspace.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = workspace.name
output serverlessEndpoint string = workspace.properties.connectivityEndpoints.sqlOnDemand
