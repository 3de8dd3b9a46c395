// ADLS Gen2 account for the lake: one container per zone, locked down. Only managed identities
// reach the data (shared keys off), so nothing holds an account key.
param name string
param location string
@description('Lake containers, one per zone, from generated/lake.json.')
param containers array
@description('Replication. Default `Standard_ZRS`.')
param skuName string = 'Standard_ZRS'
@description('Days a deleted blob or container can be restored. Default `14`.')
param softDeleteDays int = 14
param tags object = {}

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    isHnsEnabled: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    accessTier: 'Hot'
  }

  resource blobs 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: {
        enabled: true
        days: softDeleteDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: softDeleteDays
      }
    }

    resource zone 'containers' = [for c in containers: {
      name: c
      properties: {
        publicAccess: 'None'
      }
    }]
  }
}

output id string = account.id
output name string = account.name
output dfsEndpoint string = account.properties.primaryEndpoints.dfs
