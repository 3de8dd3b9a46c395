import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type BicepType, type ObjectType, readTypesJson, TypeBaseKind } from "bicep-types";

/**
 * Offline checks of Bicep files against the official Azure type definitions, without the Bicep
 * CLI: every `resource` type@apiVersion must exist, and every literal property in a resource
 * body must be a property of that type with a value of the right kind.
 */

export interface BicepResource {
  readonly file: string;
  readonly line: number;
  readonly symbol: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** Literal properties of the body: `/`-joined path → literal value, or `{}`/`[]`/`expr` for the rest. */
  readonly props: ReadonlyMap<string, string | boolean | number | "{}" | "[]" | "expr">;
}

export interface BicepFinding {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const RESOURCE =
  /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=\s*(\[for [^:]+:\s*)?(if\s*\(.*\)\s*)?\{\s*$/;

function literal(raw: string): string | boolean | number | "{}" | "[]" | "expr" {
  const v = raw.trim();
  if (v === "{") return "{}";
  if (v === "[") return "[]";
  if (v === "true" || v === "false") return v === "true";
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^'([^'\\]|\\.)*'$/.test(v) && !v.includes("${")) return v.slice(1, -1);
  return "expr";
}

/** Reads the resource declarations of one Bicep file, with the literal properties of their bodies. */
export function readBicepResources(file: string, text: string): BicepResource[] {
  const lines = text.split("\n");
  const out: BicepResource[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = RESOURCE.exec(lines[i]!.trim());
    if (!m) continue;
    const props = new Map<string, string | boolean | number | "{}" | "[]" | "expr">();
    const path: string[] = [];
    let arrays = 0;
    let depth = 1;
    for (let j = i + 1; j < lines.length && depth > 0; j++) {
      const line = lines[j]!.trim();
      if (line.startsWith("//") || line === "") continue;
      if (arrays > 0) {
        arrays += (line.match(/\[/g)?.length ?? 0) - (line.match(/\]/g)?.length ?? 0);
        continue;
      }
      if (line === "}" || line === "}]" || line === "})") {
        depth--;
        path.pop();
        continue;
      }
      const kv = /^'?([\w.$-]+)'?\s*:\s*(.*)$/.exec(line);
      if (!kv) continue;
      const [, key, rest] = kv as unknown as [string, string, string];
      const value = literal(rest);
      props.set([...path, key].join("/"), value);
      if (value === "{}") {
        path.push(key);
        depth++;
      } else if (value === "[]") {
        arrays = 1;
      }
    }
    out.push({
      file,
      line: i + 1,
      symbol: m[1]!,
      type: m[2]!,
      apiVersion: m[3]!,
      existing: Boolean(m[4]),
      props,
    });
  }
  return out;
}

/** The official type definitions, one file per provider and api version. */
export class AzureTypes {
  private readonly files = new Map<string, BicepType[]>();
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private load(provider: string, apiVersion: string): BicepType[] | undefined {
    const key = `${provider}@${apiVersion}`;
    if (!this.files.has(key)) {
      try {
        this.files.set(
          key,
          readTypesJson(readFileSync(join(this.root, provider, apiVersion, "types.json"), "utf8")),
        );
      } catch {
        return undefined;
      }
    }
    return this.files.get(key);
  }

  /** The body type of `Type@apiVersion`, or undefined when no such resource type exists. */
  resourceBody(type: string, apiVersion: string): { types: BicepType[]; body: BicepType } | undefined {
    const provider = type.split("/")[0]!.toLowerCase();
    const types = this.load(provider, apiVersion);
    const resource = types?.find(
      (t) =>
        t.type === TypeBaseKind.ResourceType &&
        t.name.toLowerCase() === `${type}@${apiVersion}`.toLowerCase(),
    );
    if (!types || !resource || resource.type !== TypeBaseKind.ResourceType) return undefined;
    return { types, body: types[resource.body.index]! };
  }

  apiVersions(provider: string): string[] {
    try {
      return readdirSync(join(this.root, provider.toLowerCase()));
    } catch {
      return [];
    }
  }
}

function objectProps(types: BicepType[], t: BicepType): ObjectType["properties"] | undefined {
  if (t.type === TypeBaseKind.ObjectType) return t.properties;
  if (t.type === TypeBaseKind.DiscriminatedObjectType) {
    const merged = { ...t.baseProperties };
    for (const ref of Object.values(t.elements))
      Object.assign(merged, objectProps(types, types[ref.index]!) ?? {});
    return merged;
  }
  return undefined;
}

function accepts(types: BicepType[], t: BicepType, v: string | boolean | number): boolean {
  switch (t.type) {
    case TypeBaseKind.StringLiteralType:
      return v === t.value;
    case TypeBaseKind.UnionType:
      return t.elements.some((e) => accepts(types, types[e.index]!, v));
    case TypeBaseKind.StringType:
      return typeof v === "string";
    case TypeBaseKind.BooleanType:
      return typeof v === "boolean";
    case TypeBaseKind.IntegerType:
      return (
        typeof v === "number" &&
        (t.minValue === undefined || v >= t.minValue) &&
        (t.maxValue === undefined || v <= t.maxValue)
      );
    case TypeBaseKind.AnyType:
      return true;
    default:
      return false;
  }
}

const BICEP_KEYWORDS = new Set(["parent", "scope", "dependsOn", "name", "location", "tags"]);

/** Checks resources against the type definitions; returns what is wrong, file and line. */
export function checkResources(resources: readonly BicepResource[], azure: AzureTypes): BicepFinding[] {
  const findings: BicepFinding[] = [];
  for (const r of resources) {
    const found = azure.resourceBody(r.type, r.apiVersion);
    if (!found) {
      const known = azure.apiVersions(r.type.split("/")[0]!);
      findings.push({
        file: r.file,
        line: r.line,
        message: `${r.type}@${r.apiVersion} is not a known resource type and API version (definitions here: ${known.join(", ") || "none"})`,
      });
      continue;
    }
    if (r.existing) continue;
    for (const [path, value] of r.props) {
      const keys = path.split("/");
      const shown = keys.join(".");
      if (keys.length === 1 && BICEP_KEYWORDS.has(keys[0]!)) continue;
      let t: BicepType = found.body;
      let ok = true;
      for (const [i, k] of keys.entries()) {
        if (t.type === TypeBaseKind.DiscriminatedObjectType && k === t.discriminator) {
          if (i === keys.length - 1 && typeof value === "string" && !(value in t.elements)) {
            findings.push({
              file: r.file,
              line: r.line,
              message: `${r.symbol} (${r.type}@${r.apiVersion}): ${shown} must be one of ${Object.keys(t.elements).join(", ")}`,
            });
          }
          ok = false;
          break;
        }
        const props = objectProps(found.types, t);
        if (!props) {
          ok =
            t.type === TypeBaseKind.AnyType ||
            (t.type === TypeBaseKind.ObjectType && t.additionalProperties !== undefined);
          break;
        }
        const prop = props[k];
        if (!prop) {
          findings.push({
            file: r.file,
            line: r.line,
            message: `${r.symbol} (${r.type}@${r.apiVersion}): unknown property ${shown}`,
          });
          ok = false;
          break;
        }
        t = found.types[prop.type.index]!;
      }
      if (!ok || value === "expr" || value === "{}" || value === "[]") continue;
      if (!accepts(found.types, t, value)) {
        findings.push({
          file: r.file,
          line: r.line,
          message: `${r.symbol} (${r.type}@${r.apiVersion}): ${shown} cannot be ${JSON.stringify(value)}`,
        });
      }
    }
  }
  return findings;
}

/** Every resource of every Bicep file under a folder. */
export function readBicepFolder(dir: string): BicepResource[] {
  const out: BicepResource[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "node_modules" && e.name !== "azure-types") walk(join(d, e.name));
      else if (e.name.endsWith(".bicep"))
        out.push(...readBicepResources(join(d, e.name), readFileSync(join(d, e.name), "utf8")));
    }
  };
  walk(dir);
  return out;
}
