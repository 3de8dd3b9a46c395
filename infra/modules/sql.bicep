// Azure SQL for the control tables (watermarks, run ledger): Microsoft Entra authentication only.
param name string
param location string
param adminLogin string
param adminObjectId string
param tags object = {}

resource server 'Microsoft.Sql/servers@2023-08-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: adminLogin
      sid: adminObjectId
      tenantId: subscription().tenantId
      principalType: 'Group'
    }
  }
}

resource control 'Microsoft.Sql/servers/databases@2023-08-01' = {
  parent: server
  name: 'saleslake_control'
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
}

output serverName string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
