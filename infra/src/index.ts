// Public surface of @saleslake/infra: the offline Bicep checks.
export {
  AzureTypes,
  type BicepFinding,
  type BicepResource,
  checkResources,
  readBicepFolder,
  readBicepResources,
} from "./bicep-check.ts";
