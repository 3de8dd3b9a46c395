// Premium workspace (Unity Catalog) and the access connector it uses to reach the lake.
param name string
param location string
param tags object = {}

resource workspace 'Microsoft.Databricks/workspaces@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'premium'
  }
  properties: {
    managedResourceGroupId: subscriptionResourceId('Microsoft.Resources/resourceGroups', '${name}-managed')
    publicNetworkAccess: 'Enabled'
  }
}

resource connector 'Microsoft.Databricks/accessConnectors@2024-05-01' = {
  name: '${name}-connector'
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {}
}

output id string = workspace.id
output url string = workspace.properties.workspaceUrl
output connectorPrincipalId string = connector.identity.principalId
