// Test doubles for code that uses @saleslake/ingest and Azure credentials: not for production use.

export { IdentityEndpoint } from "./identity-endpoint.ts";
