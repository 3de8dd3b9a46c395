import { type BicepFinding, type ResolvedResource, resolveResources } from "./bicep-check.ts";
import { BicepExpression, type BicepFile, type BicepValue } from "./bicep-syntax.ts";

/** Built-in role definition ids the estate may assign, and where. */
export const ALLOWED_ROLES: ReadonlyMap<
  string,
  { readonly name: string; readonly scopes?: readonly string[] }
> = new Map([
  ["ba92f5b4-2d11-453d-a403-e96b0029c9fe", { name: "Storage Blob Data Contributor" }],
  ["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", { name: "Storage Blob Data Reader" }],
  ["4633458b-17de-408a-b874-0445c86b69e6", { name: "Key Vault Secrets User" }],
  // Data Factory reaches Databricks with its identity only through Contributor on the workspace.
  [
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    { name: "Contributor", scopes: ["Microsoft.Databricks/workspaces"] },
  ],
]);

interface Rule {
  readonly id: string;
  readonly type: string;
  readonly path: string;
  readonly want: (v: unknown) => boolean;
  readonly says: string;
}

const is =
  (x: unknown) =>
  (v: unknown): boolean =>
    v === x;
const SA = "Microsoft.Storage/storageAccounts";

/** Literal settings the estate must have, per resource type. */
export const BASELINE_RULES: readonly Rule[] = [
  {
    id: "storage-hns",
    type: SA,
    path: "properties.isHnsEnabled",
    want: is(true),
    says: "ADLS Gen2: hierarchical namespace on",
  },
  {
    id: "storage-tls12",
    type: SA,
    path: "properties.minimumTlsVersion",
    want: is("TLS1_2"),
    says: "minimum TLS 1.2",
  },
  {
    id: "storage-https-only",
    type: SA,
    path: "properties.supportsHttpsTrafficOnly",
    want: is(true),
    says: "HTTPS only",
  },
  {
    id: "storage-no-public-blob",
    type: SA,
    path: "properties.allowBlobPublicAccess",
    want: is(false),
    says: "no public blob access",
  },
  {
    id: "storage-no-shared-key",
    type: SA,
    path: "properties.allowSharedKeyAccess",
    want: is(false),
    says: "shared-key access off",
  },
  {
    id: "storage-blob-soft-delete",
    type: `${SA}/blobServices`,
    path: "properties.deleteRetentionPolicy.enabled",
    want: is(true),
    says: "blob soft delete on",
  },
  {
    id: "storage-container-soft-delete",
    type: `${SA}/blobServices`,
    path: "properties.containerDeleteRetentionPolicy.enabled",
    want: is(true),
    says: "container soft delete on",
  },
  {
    id: "container-private",
    type: `${SA}/blobServices/containers`,
    path: "properties.publicAccess",
    want: is("None"),
    says: "container public access None",
  },
  {
    id: "factory-managed-identity",
    type: "Microsoft.DataFactory/factories",
    path: "identity.type",
    want: (v) => typeof v === "string" && v.includes("SystemAssigned"),
    says: "system-assigned identity",
  },
  {
    id: "databricks-premium",
    type: "Microsoft.Databricks/workspaces",
    path: "sku.name",
    want: is("premium"),
    says: "premium tier (Unity Catalog)",
  },
  {
    id: "connector-managed-identity",
    type: "Microsoft.Databricks/accessConnectors",
    path: "identity.type",
    want: is("SystemAssigned"),
    says: "system-assigned identity",
  },
  {
    id: "sql-entra-only",
    type: "Microsoft.Sql/servers",
    path: "properties.administrators.azureADOnlyAuthentication",
    want: is(true),
    says: "Microsoft Entra-only authentication",
  },
  {
    id: "sql-no-password",
    type: "Microsoft.Sql/servers",
    path: "properties.administratorLoginPassword",
    want: is(undefined),
    says: "no SQL login password",
  },
  {
    id: "sql-tls12",
    type: "Microsoft.Sql/servers",
    path: "properties.minimalTlsVersion",
    want: is("1.2"),
    says: "minimum TLS 1.2",
  },
  {
    id: "keyvault-rbac",
    type: "Microsoft.KeyVault/vaults",
    path: "properties.enableRbacAuthorization",
    want: is(true),
    says: "RBAC authorization",
  },
  {
    id: "keyvault-soft-delete",
    type: "Microsoft.KeyVault/vaults",
    path: "properties.enableSoftDelete",
    want: is(true),
    says: "soft delete on",
  },
  {
    id: "keyvault-purge-protection",
    type: "Microsoft.KeyVault/vaults",
    path: "properties.enablePurgeProtection",
    want: is(true),
    says: "purge protection on",
  },
  {
    id: "synapse-entra-only",
    type: "Microsoft.Synapse/workspaces",
    path: "properties.azureADOnlyAuthentication",
    want: is(true),
    says: "Microsoft Entra-only authentication",
  },
  {
    id: "synapse-no-password",
    type: "Microsoft.Synapse/workspaces",
    path: "properties.sqlAdministratorLoginPassword",
    want: is(undefined),
    says: "no SQL login password",
  },
  {
    id: "synapse-managed-identity",
    type: "Microsoft.Synapse/workspaces",
    path: "identity.type",
    want: (v) => typeof v === "string" && v.includes("SystemAssigned"),
    says: "system-assigned identity",
  },
];

/** Resource types whose logs must reach Log Analytics through a diagnostic setting. */
export const DIAGNOSED_TYPES: readonly (readonly string[])[] = [
  ["Microsoft.DataFactory/factories"],
  ["Microsoft.Databricks/workspaces"],
  [SA, `${SA}/blobServices`],
];

function at(body: unknown, path: string): unknown {
  let cur = body;
  for (const k of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The resource symbol a `scope:` names: `vault`, or the last part of `storage::blobs`. */
function scopeSymbol(scope: BicepValue | undefined): string {
  return scope instanceof BicepExpression ? (scope.text.split("::").pop() ?? "") : "";
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const SECRET_KEY = /password|secret|accountkey|connectionstring|sastoken/i;

function secrets(value: unknown, path: string, out: string[]): void {
  if (typeof value !== "object" || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (SECRET_KEY.test(k) && typeof v === "string" && v !== "" && !v.startsWith("[")) out.push(p);
    else secrets(v, p, out);
  }
}

/**
 * The security baseline of the estate, from the Bicep itself: the settings in BASELINE_RULES on
 * every resource of those types, only the roles in ALLOWED_ROLES, no literal secret in any body or
 * `@secure()` parameter default, diagnostic settings for the factory, Databricks and storage, and
 * an alert on failed pipeline runs that notifies an action group.
 */
export function checkSecurityBaseline(files: readonly BicepFile[]): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const all: ResolvedResource[] = files.flatMap(resolveResources);
  const found = (r: ResolvedResource, rule: string, message: string) =>
    findings.push({
      file: r.resource.file,
      line: r.resource.line,
      rule,
      message: `${r.resource.symbol}: ${message}`,
    });

  for (const r of all) {
    if (r.resource.existing) continue;
    for (const rule of BASELINE_RULES) {
      if (!same(rule.type, r.resource.type)) continue;
      const v = at(r.body, rule.path);
      if (!rule.want(v))
        found(r, rule.id, `${rule.says}: ${rule.path} is ${v === undefined ? "not set" : JSON.stringify(v)}`);
    }
    const leaked: string[] = [];
    secrets(r.body, "", leaked);
    for (const p of leaked)
      found(
        r,
        "no-literal-secret",
        `${p} holds a literal value: use a Key Vault reference or a managed identity`,
      );
  }

  for (const file of files) {
    const vars = new Map([...file.vars].filter(([, v]) => typeof v === "string") as [string, string][]);
    const symbols = new Map(file.resources.map((r) => [r.symbol, r.type]));
    for (const r of all.filter((x) => x.resource.file === file.file)) {
      if (!same(r.resource.type, "Microsoft.Authorization/roleAssignments") || r.resource.existing) continue;
      const def = String(at(r.body, "properties.roleDefinitionId") ?? "");
      const text = def.replace(/[A-Za-z_]\w*/g, (id) => vars.get(id) ?? id);
      const ids = [...text.matchAll(GUID)].map((m) => m[0].toLowerCase());
      const scopeExpr = r.resource.body.scope;
      const scopeType = symbols.get(scopeSymbol(scopeExpr));
      if (ids.length === 0)
        found(r, "role-least-privilege", "role definition is not a known built-in role id");
      for (const id of ids) {
        const allowed = ALLOWED_ROLES.get(id);
        if (!allowed) found(r, "role-least-privilege", `role ${id} is not in the allowed set`);
        else if (allowed.scopes && !allowed.scopes.some((s) => scopeType && same(s, scopeType)))
          found(
            r,
            "role-least-privilege",
            `${allowed.name} may only be assigned on ${allowed.scopes.join(", ")}`,
          );
      }
    }
    for (const m of file.params)
      if (m.secure && m.hasDefault)
        findings.push({
          file: file.file,
          line: m.line,
          rule: "no-literal-secret",
          message: `@secure() param ${m.name} has a default value`,
        });
  }

  const diagnosed = new Set<string>();
  for (const file of files) {
    const symbols = new Map(file.resources.map((r) => [r.symbol, r.type.toLowerCase()]));
    for (const r of file.resources) {
      if (!same(r.type, "Microsoft.Insights/diagnosticSettings")) continue;
      const t = symbols.get(scopeSymbol(r.body.scope));
      if (t) diagnosed.add(t);
    }
  }
  for (const group of DIAGNOSED_TYPES) {
    if (!group.some((t) => diagnosed.has(t.toLowerCase())))
      findings.push({
        file: files[0]?.file ?? "",
        line: 1,
        rule: "diagnostics",
        message: `no diagnostic setting sends ${group[0]} logs to Log Analytics`,
      });
  }

  const alert = all.find(
    (r) =>
      same(r.resource.type, "Microsoft.Insights/metricAlerts") &&
      JSON.stringify(at(r.body, "properties.criteria")).includes('"PipelineFailedRuns"') &&
      Array.isArray(at(r.body, "properties.actions")) &&
      (at(r.body, "properties.actions") as unknown[]).length > 0,
  );
  if (!alert)
    findings.push({
      file: files[0]?.file ?? "",
      line: 1,
      rule: "failed-run-alert",
      message: "no metric alert on PipelineFailedRuns with an action group",
    });
  return findings;
}
