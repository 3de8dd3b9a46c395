// Premium workspace (Unity Catalog) and the access connector whose identity reaches the lake.
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
output name string = workspace.name
output url string = workspace.properties.workspaceUrl
output connectorId string = connector.id
output connectorPrincipalId string = connector.identity.principalId
