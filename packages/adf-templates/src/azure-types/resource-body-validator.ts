import { type BicepType, BuiltInTypeKind, ObjectTypePropertyFlags, TypeBaseKind } from "bicep-types";
import { AzureTypeCatalog } from "./azure-type-catalog.ts";

/** What can be wrong with a resource body, checked against the official Azure type definitions. */
export type AzureTypeFindingCode =
  | "UNKNOWN_RESOURCE_TYPE"
  | "UNKNOWN_PROPERTY"
  | "WRONG_TYPE"
  | "MISSING_REQUIRED"
  | "READ_ONLY_PROPERTY"
  | "BAD_VALUE"
  | "BAD_DISCRIMINATOR";

export interface AzureTypeFinding {
  /** JSON path into the body, e.g. `$.properties.activities[0].typeProperties.source`. */
  readonly path: string;
  readonly code: AzureTypeFindingCode;
  readonly message: string;
}

export interface ValidateResourceBodyOptions {
  /** Accept an ARM template expression (a `"[...]"` string) as a value of any type. Default `false`. */
  readonly armExpressions?: boolean;
  /** Do not report missing required properties, for bodies known only in part. Default `false`. */
  readonly partial?: boolean;
  /**
   * Report a string outside the known values of an open enum (the definitions list values and also
   * allow any string, as the service may add values). Catches typos such as `"Succeded"`. Default `true`.
   */
  readonly strictEnums?: boolean;
  /** Where the type definitions are. Default: the copy shipped in this package. */
  readonly catalog?: AzureTypeCatalog;
}

const defaultCatalog = new AzureTypeCatalog();

/** Whether the official type definitions hold `resourceType` at `apiVersion` (case-insensitive, as ARM). */
export function resourceTypeExists(resourceType: string, apiVersion: string): boolean {
  return defaultCatalog.resolve(resourceType, apiVersion) !== undefined;
}

/** The api versions at which the type definitions here hold `resourceType`, oldest first. */
export function resourceApiVersions(resourceType: string): string[] {
  return defaultCatalog.apiVersions(resourceType);
}

// ARM templates and GET responses carry these at the top of a body; a PUT carries the name in its URL.
const ROOT_METADATA = new Set(["id", "name", "type", "apiVersion", "etag"]);

/**
 * Checks a resource body (the JSON of a REST PUT or of an ARM template resource) against the type
 * definitions the Bicep compiler uses: unknown properties, wrong JSON types, missing required and
 * read-only properties, values outside an enum, pattern or range, unknown discriminator values
 * (linked service, dataset, activity, trigger `type`). Returns every finding; empty means valid.
 */
export function validateResourceBody(
  resourceType: string,
  apiVersion: string,
  body: unknown,
  options: ValidateResourceBodyOptions = {},
): AzureTypeFinding[] {
  const catalog = options.catalog ?? defaultCatalog;
  const resolved = catalog.resolve(resourceType, apiVersion);
  if (!resolved) {
    const known = catalog.apiVersions(resourceType);
    return [
      {
        path: "$",
        code: "UNKNOWN_RESOURCE_TYPE",
        message: `${resourceType}@${apiVersion} is not in the Azure type definitions${known.length > 0 ? ` (api versions here: ${known.join(", ")})` : ""}`,
      },
    ];
  }
  const findings: AzureTypeFinding[] = [];
  new BodyWalker(resolved.types, options, findings).check(resolved.body, body, "$", true);
  return findings;
}

function child(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Properties = Record<string, { type: { index: number }; flags: ObjectTypePropertyFlags }>;

class BodyWalker {
  private readonly types: readonly BicepType[];
  private readonly options: ValidateResourceBodyOptions;
  private readonly findings: AzureTypeFinding[];

  constructor(
    types: readonly BicepType[],
    options: ValidateResourceBodyOptions,
    findings: AzureTypeFinding[],
  ) {
    this.types = types;
    this.options = options;
    this.findings = findings;
  }

  private report(path: string, code: AzureTypeFindingCode, message: string): void {
    this.findings.push({ path, code, message });
  }

  private at(index: number): BicepType {
    const t = this.types[index];
    if (!t) throw new Error(`type definitions: reference #${index} is out of range`);
    return t;
  }

  private describe(t: BicepType): string {
    switch (t.type) {
      case TypeBaseKind.ObjectType:
      case TypeBaseKind.DiscriminatedObjectType:
        return `object (${t.name})`;
      case TypeBaseKind.ArrayType:
        return "array";
      case TypeBaseKind.StringLiteralType:
        return JSON.stringify(t.value);
      case TypeBaseKind.UnionType:
        return t.elements.map((e) => this.describe(this.at(e.index))).join(" | ");
      case TypeBaseKind.StringType:
        return "string";
      case TypeBaseKind.IntegerType:
        return "integer";
      case TypeBaseKind.BooleanType:
        return "boolean";
      case TypeBaseKind.NullType:
        return "null";
      case TypeBaseKind.BuiltInType:
        return BuiltInTypeKind[t.kind]?.toLowerCase() ?? "value";
      default:
        return "value";
    }
  }

  check(t: BicepType, value: unknown, path: string, root = false): void {
    if (
      this.options.armExpressions &&
      typeof value === "string" &&
      value.startsWith("[") &&
      !value.startsWith("[[") &&
      value.endsWith("]")
    ) {
      return;
    }
    switch (t.type) {
      case TypeBaseKind.AnyType:
        return;
      case TypeBaseKind.NullType:
        if (value !== null) this.wrongType(path, "null", value);
        return;
      case TypeBaseKind.BooleanType:
        if (typeof value !== "boolean") this.wrongType(path, "boolean", value);
        return;
      case TypeBaseKind.IntegerType:
        if (typeof value !== "number" || !Number.isInteger(value)) this.wrongType(path, "integer", value);
        else if (
          (t.minValue !== undefined && value < t.minValue) ||
          (t.maxValue !== undefined && value > t.maxValue)
        )
          this.report(path, "BAD_VALUE", `${value} is outside ${t.minValue ?? "…"}..${t.maxValue ?? "…"}`);
        return;
      case TypeBaseKind.StringType:
        this.checkString(t, value, path);
        return;
      case TypeBaseKind.StringLiteralType:
        if (typeof value !== "string") this.wrongType(path, "string", value);
        else if (value !== t.value)
          this.report(path, "BAD_VALUE", `${JSON.stringify(value)} must be ${JSON.stringify(t.value)}`);
        return;
      case TypeBaseKind.UnionType:
        this.checkUnion(t.elements, value, path);
        return;
      case TypeBaseKind.ArrayType:
        if (!Array.isArray(value)) {
          this.wrongType(path, "array", value);
          return;
        }
        if (t.minLength !== undefined && value.length < t.minLength)
          this.report(path, "BAD_VALUE", `has ${value.length} items, at least ${t.minLength} required`);
        if (t.maxLength !== undefined && value.length > t.maxLength)
          this.report(path, "BAD_VALUE", `has ${value.length} items, at most ${t.maxLength} allowed`);
        value.forEach((item, i) => {
          this.check(this.at(t.itemType.index), item, `${path}[${i}]`);
        });
        return;
      case TypeBaseKind.ObjectType:
        if (!isRecord(value)) {
          this.wrongType(path, `object (${t.name})`, value);
          return;
        }
        this.checkObject(t.properties, t.additionalProperties?.index, value, path, root);
        return;
      case TypeBaseKind.DiscriminatedObjectType:
        this.checkDiscriminated(t, value, path, root);
        return;
      case TypeBaseKind.BuiltInType:
        this.checkBuiltIn(t.kind, value, path);
        return;
      default:
        this.report(path, "WRONG_TYPE", `the definitions allow no value here (${t.type})`);
    }
  }

  private wrongType(path: string, expected: string, value: unknown): void {
    this.report(path, "WRONG_TYPE", `expected ${expected}, got ${jsonKind(value)}`);
  }

  private checkString(
    t: { minLength?: number; maxLength?: number; pattern?: string },
    value: unknown,
    path: string,
  ): void {
    if (typeof value !== "string") {
      this.wrongType(path, "string", value);
      return;
    }
    if (t.minLength !== undefined && value.length < t.minLength)
      this.report(path, "BAD_VALUE", `is ${value.length} characters, at least ${t.minLength} required`);
    if (t.maxLength !== undefined && value.length > t.maxLength)
      this.report(path, "BAD_VALUE", `is ${value.length} characters, at most ${t.maxLength} allowed`);
    if (t.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(t.pattern);
      } catch {
        // A .NET-only pattern construct: the service checks it, we cannot here.
        re = undefined;
      }
      if (re && !re.test(value))
        this.report(path, "BAD_VALUE", `${JSON.stringify(value)} does not match ${t.pattern}`);
    }
  }

  private checkBuiltIn(kind: BuiltInTypeKind, value: unknown, path: string): void {
    const ok: Record<BuiltInTypeKind, (v: unknown) => boolean> = {
      [BuiltInTypeKind.Any]: () => true,
      [BuiltInTypeKind.Null]: (v) => v === null,
      [BuiltInTypeKind.Bool]: (v) => typeof v === "boolean",
      [BuiltInTypeKind.Int]: (v) => typeof v === "number" && Number.isInteger(v),
      [BuiltInTypeKind.String]: (v) => typeof v === "string",
      [BuiltInTypeKind.Object]: isRecord,
      [BuiltInTypeKind.Array]: Array.isArray,
      [BuiltInTypeKind.ResourceRef]: (v) => typeof v === "string",
    };
    if (!ok[kind](value)) this.wrongType(path, BuiltInTypeKind[kind].toLowerCase(), value);
  }

  private checkUnion(elements: readonly { index: number }[], value: unknown, path: string): void {
    const candidates = elements.map((e) => this.at(e.index));
    const known = candidates.filter((c) => c.type === TypeBaseKind.StringLiteralType);
    const open = candidates.filter(
      (c) =>
        c.type === TypeBaseKind.StringType &&
        c.pattern === undefined &&
        c.minLength === undefined &&
        c.maxLength === undefined,
    );
    if (
      this.options.strictEnums !== false &&
      typeof value === "string" &&
      known.length > 0 &&
      known.length + open.length === candidates.length
    ) {
      if (!known.some((c) => c.value === value))
        this.report(
          path,
          "BAD_VALUE",
          `${JSON.stringify(value)} is not one of the known values ${known.map((c) => this.describe(c)).join(", ")}`,
        );
      return;
    }
    let best: AzureTypeFinding[] | undefined;
    for (const c of candidates) {
      const attempt: AzureTypeFinding[] = [];
      new BodyWalker(this.types, this.options, attempt).check(c, value, path);
      if (attempt.length === 0) return;
      // Prefer the candidate of the value's own JSON kind that got furthest: its findings say most.
      const sameKind = !attempt.some((f) => f.path === path && f.code === "WRONG_TYPE");
      if (sameKind && (!best || attempt.length < best.length)) best = attempt;
    }
    const literals = candidates.every((c) => c.type === TypeBaseKind.StringLiteralType);
    if (best && !literals) {
      this.findings.push(...best);
      return;
    }
    const allowed = candidates.map((c) => this.describe(c)).join(", ");
    if (literals && typeof value === "string")
      this.report(path, "BAD_VALUE", `${JSON.stringify(value)} is not one of ${allowed}`);
    else this.report(path, "WRONG_TYPE", `expected one of ${allowed}, got ${jsonKind(value)}`);
  }

  private checkObject(
    properties: Properties,
    additional: number | undefined,
    value: Record<string, unknown>,
    path: string,
    root: boolean,
  ): void {
    for (const [key, v] of Object.entries(value)) {
      const prop = properties[key];
      const at = child(path, key);
      if (!prop) {
        if (additional !== undefined) this.check(this.at(additional), v, at);
        else this.report(at, "UNKNOWN_PROPERTY", `${key} is not a property of this object`);
        continue;
      }
      if (prop.flags & ObjectTypePropertyFlags.ReadOnly) {
        if (!(root && ROOT_METADATA.has(key)))
          this.report(at, "READ_ONLY_PROPERTY", `${key} is read-only: Azure sets it`);
        continue;
      }
      // ARM treats an explicit null as an absent optional property.
      if (v === null && !(prop.flags & ObjectTypePropertyFlags.Required)) continue;
      this.check(this.at(prop.type.index), v, at);
    }
    if (this.options.partial) return;
    for (const [key, prop] of Object.entries(properties)) {
      const required =
        prop.flags & ObjectTypePropertyFlags.Required && !(prop.flags & ObjectTypePropertyFlags.ReadOnly);
      if (required && !(key in value) && !(root && ROOT_METADATA.has(key)))
        this.report(child(path, key), "MISSING_REQUIRED", `${key} is required`);
    }
  }

  private checkDiscriminated(
    t: Extract<BicepType, { type: TypeBaseKind.DiscriminatedObjectType }>,
    value: unknown,
    path: string,
    root: boolean,
  ): void {
    if (!isRecord(value)) {
      this.wrongType(path, `object (${t.name})`, value);
      return;
    }
    const at = child(path, t.discriminator);
    const kind = value[t.discriminator];
    if (kind === undefined) {
      if (!this.options.partial) this.report(at, "MISSING_REQUIRED", `${t.discriminator} is required`);
      this.checkObject({ ...t.baseProperties }, undefined, value, path, root);
      return;
    }
    if (
      this.options.armExpressions &&
      typeof kind === "string" &&
      kind.startsWith("[") &&
      !kind.startsWith("[[")
    ) {
      return;
    }
    const names = Object.keys(t.elements);
    const ref = typeof kind === "string" ? t.elements[kind] : undefined;
    const element = ref && this.at(ref.index);
    if (!element || element.type !== TypeBaseKind.ObjectType) {
      const near = names.find((n) => typeof kind === "string" && n.toLowerCase() === kind.toLowerCase());
      const hint = near
        ? `; did you mean ${JSON.stringify(near)}?`
        : names.length <= 12
          ? `; one of ${names.join(", ")}`
          : ` (${names.length} kinds, e.g. ${names.slice(0, 5).join(", ")})`;
      this.report(at, "BAD_DISCRIMINATOR", `${JSON.stringify(kind)} is not a known ${t.name} kind${hint}`);
      return;
    }
    this.checkObject(
      { ...t.baseProperties, ...element.properties },
      element.additionalProperties?.index,
      value,
      path,
      root,
    );
  }
}
