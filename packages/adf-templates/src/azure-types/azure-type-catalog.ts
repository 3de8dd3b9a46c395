import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type BicepType, type ResourceType, readTypesJson, TypeBaseKind } from "bicep-types";

/** The official Azure type definitions shipped with this package (`azure-types/`, see its README). */
export const AZURE_TYPES_ROOT = fileURLToPath(new URL("../../azure-types/", import.meta.url));

/** One resource type@apiVersion: the type table of its file and the index of its body. */
export interface ResolvedResourceType {
  readonly name: string;
  readonly types: readonly BicepType[];
  readonly body: BicepType;
}

/**
 * Reads `<root>/<provider>/<apiVersion>/types.json` on first use and keeps it: the files are a few
 * hundred kilobytes each and a validation run asks for the same few many times.
 */
export class AzureTypeCatalog {
  private readonly root: string;
  private readonly files = new Map<string, readonly BicepType[] | null>();

  constructor(root: string = AZURE_TYPES_ROOT) {
    this.root = root;
  }

  private file(provider: string, apiVersion: string): readonly BicepType[] | null {
    const key = `${provider}/${apiVersion}`;
    let types = this.files.get(key);
    if (types === undefined) {
      const path = `${this.root}/${key}/types.json`;
      types = existsSync(path) ? readTypesJson(readFileSync(path, "utf8")) : null;
      this.files.set(key, types);
    }
    return types;
  }

  /** The resource type, or undefined when the definitions hold no such type at that api version. */
  resolve(resourceType: string, apiVersion: string): ResolvedResourceType | undefined {
    const provider = resourceType.split("/")[0]?.toLowerCase() ?? "";
    if (!/^[\w.-]+$/.test(provider) || !/^[\w.-]+$/.test(apiVersion)) return undefined;
    const types = this.file(provider, apiVersion);
    if (!types) return undefined;
    const wanted = `${resourceType}@${apiVersion}`.toLowerCase();
    const resource = types.find(
      (t): t is ResourceType => t.type === TypeBaseKind.ResourceType && t.name.toLowerCase() === wanted,
    );
    const body = resource && types[resource.body.index];
    return resource && body ? { name: resource.name, types, body } : undefined;
  }

  /** Api versions in the definitions that hold this resource type, oldest first. */
  apiVersions(resourceType: string): string[] {
    const provider = resourceType.split("/")[0]?.toLowerCase() ?? "";
    if (!/^[\w.-]+$/.test(provider) || !existsSync(`${this.root}/${provider}`)) return [];
    return readdirSync(`${this.root}/${provider}`)
      .filter((v) => this.resolve(resourceType, v) !== undefined)
      .sort();
  }
}
