import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { resourceApiVersions, resourceTypeExists, validateResourceBody } from "@saleslake/adf-templates";
import { fileScope, loopScopes, type Scope, toJson } from "./bicep-evaluator.ts";
import type { BicepFile, BicepResource } from "./bicep-syntax.ts";

/** What the offline checks found, with where. */
export interface BicepFinding {
  readonly file: string;
  readonly line: number;
  /** `resource-type`, `resource-body`, `load-target`, `module-path`, or a security baseline rule id. */
  readonly rule: string;
  readonly message: string;
}

/** One iteration of a resource with its body as JSON, loop items and loaded files evaluated. */
export interface ResolvedResource {
  readonly resource: BicepResource;
  readonly body: Record<string, unknown>;
}

/** The bodies of a file's resources: one per loop item where the loop runs over loaded JSON. */
export function resolveResources(file: BicepFile): ResolvedResource[] {
  const scope = fileScope(file.vars, file.file);
  const out: ResolvedResource[] = [];
  for (const r of file.resources) {
    const scopes: Scope[] = (r.loop && loopScopes(r.loop, scope, file.file)) || [scope];
    for (const s of scopes)
      out.push({ resource: r, body: toJson(r.body, s, file.file) as Record<string, unknown> });
  }
  return out;
}

/**
 * The offline checks: every resource type@apiVersion exists in the Azure type definitions; every
 * body validates against its type (literal values checked, expressions accepted as any value,
 * bodies built from `loadJsonContent` files checked item by item); every loaded file and module
 * exists and loaded JSON parses.
 */
export function checkBicep(files: readonly BicepFile[]): BicepFinding[] {
  const findings: BicepFinding[] = [];
  for (const file of files) {
    for (const m of file.modules) {
      if (/^(br|ts)[:/]/.test(m.path)) continue;
      if (!existsSync(resolve(dirname(m.file), m.path)))
        findings.push({
          file: m.file,
          line: m.line,
          rule: "module-path",
          message: `module ${m.symbol}: ${m.path} does not exist`,
        });
    }
    for (const l of file.loads) {
      const full = resolve(dirname(l.file), l.path);
      if (!existsSync(full)) {
        findings.push({
          file: l.file,
          line: l.line,
          rule: "load-target",
          message: `${l.fn}('${l.path}'): the file does not exist (run \`pnpm generate\`)`,
        });
      } else if (l.fn === "loadJsonContent") {
        try {
          JSON.parse(readFileSync(full, "utf8"));
        } catch (e) {
          findings.push({
            file: l.file,
            line: l.line,
            rule: "load-target",
            message: `loadJsonContent('${l.path}'): not valid JSON (${(e as Error).message})`,
          });
        }
      }
    }
    for (const r of file.resources) {
      if (!resourceTypeExists(r.type, r.apiVersion)) {
        const known = resourceApiVersions(r.type);
        findings.push({
          file: r.file,
          line: r.line,
          rule: "resource-type",
          message: `${r.symbol}: ${r.type}@${r.apiVersion} is not in the Azure type definitions${known.length > 0 ? ` (api versions here: ${known.join(", ")})` : ""}`,
        });
      }
    }
    for (const { resource: r, body } of resolveResources(file)) {
      if (r.existing || !resourceTypeExists(r.type, r.apiVersion)) continue;
      const partial = "..." in r.body;
      for (const f of validateResourceBody(r.type, r.apiVersion, body, { armExpressions: true, partial })) {
        const name = typeof body.name === "string" && !body.name.startsWith("[") ? ` (${body.name})` : "";
        findings.push({
          file: r.file,
          line: r.line,
          rule: "resource-body",
          message: `${r.symbol}${name} ${r.type}@${r.apiVersion}: ${f.path}: ${f.message}`,
        });
      }
    }
  }
  return findings;
}
