// Azure SQL for the control tables (watermarks, run ledger): Microsoft Entra authentication only,
// so no SQL login or password exists. The factory's identity becomes a database user at deploy.
param name string
param location string
@description('Display name of the Entra group that administers the server.')
param adminLogin string
@description('Object id of that group.')
param adminObjectId string
@description('Database SKU. Default `Basic`.')
param databaseSku string = 'Basic'
@description('Public IP address of the machine that deploys, let through for the control-database step. Default: none.')
param deployerIpAddress string = ''
param tags object = {}

resource server 'Microsoft.Sql/servers@2023-08-01' = {
  name: name
  location: location
  tags: tags
  // Its identity looks up Entra principals when a service principal (a CI identity) runs the
  // control-database step's CREATE USER … FROM EXTERNAL PROVIDER; it needs Directory Readers.
  identity: {
    type: 'SystemAssigned'
  }
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

  // Lets Azure services (the factory) connect; identities still need a database user.
  resource azureServices 'firewallRules' = {
    name: 'AllowAllWindowsAzureIps'
    properties: {
      startIpAddress: '0.0.0.0'
      endIpAddress: '0.0.0.0'
    }
  }

  // The deploying machine (a laptop, a self-hosted runner), when it is outside Azure.
  resource deployer 'firewallRules' = if (!empty(deployerIpAddress)) {
    name: 'saleslake-deployer'
    properties: {
      startIpAddress: deployerIpAddress
      endIpAddress: deployerIpAddress
    }
  }

  resource control 'databases' = {
    name: 'saleslake_control'
    location: location
    tags: tags
    sku: {
      name: databaseSku
    }
  }
}

output serverName string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
output database string = server::control.name
output principalId string = server.identity.principalId
