// Test doubles for code that uses @saleslake/ingest and Azure: not for production use.

export { AZURITE_ACCOUNT, Azurite } from "./azurite.ts";
export { IdentityEndpoint } from "./identity-endpoint.ts";
export { orderLinesTableSql, type PostgresServer, startPostgres } from "./postgres-server.ts";
export {
  type Fault,
  generateOrderLines,
  type OrderLineRow,
  type SalesApiServer,
  type ServedRequest,
  startSalesApi,
} from "./sales-api-server.ts";
export { selfSignedCertificate } from "./self-signed-certificate.ts";
