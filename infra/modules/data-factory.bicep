// Data Factory with a system-assigned identity: every linked service authenticates with it.
param name string
param location string
param tags object = {}

resource factory 'Microsoft.DataFactory/factories@2018-06-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publicNetworkAccess: 'Enabled'
  }
}

output id string = factory.id
output name string = factory.name
output principalId string = factory.identity.principalId
