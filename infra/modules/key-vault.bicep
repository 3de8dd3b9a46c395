// Key Vault in RBAC mode: secrets (e.g. API tokens for sources) are read by managed identities
// through role assignments, never through access policies or keys in templates.
param name string
param location string
@description('Days a deleted vault or secret can be recovered. Default `90`.')
param softDeleteDays int = 90
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
