import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AdfError } from "../errors.ts";
import {
  ARTIFACT_TYPES,
  type ArtifactDocument,
  type ArtifactType,
  type FactoryArtifacts,
} from "./factory-artifacts.ts";
import { lintFactory } from "./lint-factory.ts";
import type { LintFinding } from "./lint-finding.ts";

export interface LintFolderResult {
  readonly findings: readonly LintFinding[];
  /** Artifacts read, per type. */
  readonly counts: { readonly [T in ArtifactType]: number };
  readonly errors: number;
  readonly warnings: number;
}

/**
 * Reads a factory from a folder in Data Factory's git layout (`linkedService/`, `dataset/`,
 * `pipeline/`, `trigger/`, one `<name>.json` each) and lints it. A file that is not valid JSON
 * becomes an `invalid-json` finding with its line; a folder with none of the four subfolders
 * is a usage error.
 */
export function lintAdfFolder(dir: string): LintFolderResult {
  if (!existsSync(dir) || !ARTIFACT_TYPES.some((t) => existsSync(join(dir, t)))) {
    throw new AdfError(
      "INVALID_OPTIONS",
      `${dir} is not a Data Factory folder: none of ${ARTIFACT_TYPES.map((t) => `${t}/`).join(", ")} found`,
      "Point at the folder that holds the factory's linkedService/, dataset/, pipeline/ and trigger/ folders (git integration layout, or generated/adf).",
      { file: dir },
    );
  }
  const docs: { [T in ArtifactType]: ArtifactDocument[] } = {
    linkedService: [],
    dataset: [],
    pipeline: [],
    trigger: [],
  };
  const files = new Map<string, string>();
  const jsonFindings: LintFinding[] = [];
  for (const type of ARTIFACT_TYPES) {
    const folder = join(dir, type);
    if (!existsSync(folder)) continue;
    for (const entry of readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      const file = join(folder, entry);
      const text = readFileSync(file, "utf8");
      let doc: unknown;
      try {
        doc = JSON.parse(text.replace(/^\uFEFF/, ""));
      } catch (e) {
        jsonFindings.push({
          rule: "invalid-json",
          severity: "error",
          message: `not valid JSON: ${(e as Error).message}`,
          ...jsonRow(text, (e as Error).message),
          artifactType: type,
          artifact: entry.replace(/\.json$/, ""),
          path: "",
          file,
        });
        continue;
      }
      const name = (doc as { name?: unknown })?.name;
      if (typeof name === "string") files.set(`${type}/${name}`, file);
      docs[type].push(doc as ArtifactDocument);
    }
  }
  const factory: FactoryArtifacts = {
    linkedServices: docs.linkedService,
    datasets: docs.dataset,
    pipelines: docs.pipeline,
    triggers: docs.trigger,
  };
  const findings = [...jsonFindings, ...lintFactory(factory, files)];
  return {
    findings,
    counts: {
      linkedService: docs.linkedService.length,
      dataset: docs.dataset.length,
      pipeline: docs.pipeline.length,
      trigger: docs.trigger.length,
    },
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
  };
}

/** The 1-based line of a JSON.parse error, from the position its message gives. */
function jsonRow(text: string, message: string): { row?: number } {
  const m = /position (\d+)/.exec(message);
  return m ? { row: text.slice(0, Number(m[1])).split("\n").length } : {};
}
