import { adfFunction } from "../expression/adf-functions.ts";
import type { Expression } from "../expression/expression-ast.ts";
import { parseAdfValue } from "../expression/expression-parser.ts";
import { ExpressionSyntaxError } from "../expression/expression-syntax-error.ts";
import { accessChain, valueExpressions, walkExpression } from "../expression/expression-walk.ts";
import {
  type ArtifactDocument,
  type ArtifactType,
  artifactsOf,
  type FactoryArtifacts,
} from "./factory-artifacts.ts";
import type { LintFinding, LintRule } from "./lint-finding.ts";

type JsonObject = { readonly [key: string]: unknown };
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** System variables of `pipeline()`, from the system variable reference. */
const PIPELINE_SYSTEM = new Set(
  [
    "DataFactory",
    "Pipeline",
    "RunId",
    "TriggerType",
    "TriggerId",
    "TriggerName",
    "TriggerTime",
    "TriggeredByPipelineName",
    "TriggeredByPipelineRunId",
    "GroupId",
    "parameters",
    "globalParameters",
  ].map((s) => s.toLowerCase()),
);

/** What `trigger().outputs…` offers, per trigger type. */
const TRIGGER_OUTPUTS: { readonly [type: string]: readonly string[] } = {
  TumblingWindowTrigger: ["windowStartTime", "windowEndTime"],
  BlobEventsTrigger: ["body"],
  CustomEventsTrigger: ["body"],
  ScheduleTrigger: [],
};

/** Keys whose string values are names or prose, never evaluated. */
const NOT_EVALUATED = new Set(["name", "description", "annotations", "referenceName", "type"]);

/** Activity properties holding nested activity lists (ForEach, Until, IfCondition, Switch). */
const NESTED_LISTS = ["activities", "ifTrueActivities", "ifFalseActivities", "defaultActivities"];

interface ActivityNode {
  readonly name: string;
  readonly type: string;
  readonly json: JsonObject;
  readonly path: string;
  readonly parent: ActivityNode | undefined;
  /** Names of the activities this one depends on, transitively, in its own container. */
  readonly ancestors: Set<string>;
}

interface Scope {
  readonly artifactType: ArtifactType;
  readonly artifact: string;
  readonly parameters: ReadonlySet<string>;
  readonly variables: ReadonlySet<string>;
  readonly activities: ReadonlyMap<string, ActivityNode>;
  readonly activity?: ActivityNode;
  readonly triggerType?: string;
}

function declared(v: unknown): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  if (isObject(v)) for (const [k, d] of Object.entries(v)) out.set(k, isObject(d) ? d : {});
  return out;
}

/**
 * Checks a factory: every expression parses and every reference (activity and its output shape,
 * parameter, variable, dataset, linked service, pipeline, trigger) resolves; activity graphs are
 * acyclic and names unique. Returns findings, errors first; an empty list means clean.
 */
export function lintFactory(factory: FactoryArtifacts, files?: ReadonlyMap<string, string>): LintFinding[] {
  return new FactoryLinter(factory, files).run();
}

class FactoryLinter {
  private readonly findings: LintFinding[] = [];
  private readonly byType: { readonly [T in ArtifactType]: Map<string, ArtifactDocument> };
  private readonly factory: FactoryArtifacts;
  private readonly files: ReadonlyMap<string, string> | undefined;

  constructor(factory: FactoryArtifacts, files?: ReadonlyMap<string, string>) {
    this.factory = factory;
    this.files = files;
    const index = (t: ArtifactType) => new Map(artifactsOf(factory, t).map((a) => [a.name, a]));
    this.byType = {
      linkedService: index("linkedService"),
      dataset: index("dataset"),
      pipeline: index("pipeline"),
      trigger: index("trigger"),
    };
  }

  run(): LintFinding[] {
    for (const type of ["linkedService", "dataset", "pipeline", "trigger"] as const) {
      const seen = new Set<string>();
      for (const doc of artifactsOf(this.factory, type)) {
        const base = { artifactType: type, artifact: String(doc?.name), path: "name" };
        if (!isObject(doc) || typeof doc.name !== "string" || !isObject(doc.properties)) {
          this.add(base, "invalid-artifact", "not an artifact document: expected { name, properties }");
          continue;
        }
        if (seen.has(doc.name.toLowerCase()))
          this.add(
            base,
            "duplicate-name",
            `another ${type} is named ${JSON.stringify(doc.name)} (names are case-insensitive)`,
          );
        seen.add(doc.name.toLowerCase());
        if (type === "pipeline") this.pipeline(doc);
        else this.simple(doc, type);
      }
    }
    return this.findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  }

  private add(
    where: { artifactType: ArtifactType; artifact: string; path: string; activity?: string | undefined },
    rule: LintRule,
    message: string,
    expression?: string,
    severity: "error" | "warning" = "error",
  ): void {
    const file = this.files?.get(`${where.artifactType}/${where.artifact}`);
    this.findings.push({
      rule,
      severity,
      message,
      artifactType: where.artifactType,
      artifact: where.artifact,
      ...(where.activity !== undefined && { activity: where.activity }),
      ...(expression !== undefined && { expression }),
      path: where.path,
      ...(file !== undefined && { file }),
    });
  }

  /** Datasets, linked services and triggers: one scope for the whole document. */
  private simple(doc: ArtifactDocument, type: ArtifactType): void {
    const props = doc.properties as JsonObject;
    const scope: Scope = {
      artifactType: type,
      artifact: doc.name,
      parameters: new Set(type === "trigger" ? [] : declared(props.parameters).keys()),
      variables: new Set(),
      activities: new Map(),
      ...(type === "trigger" && typeof props.type === "string" && { triggerType: props.type }),
    };
    this.walk(props, "properties", scope, new Set([props.parameters]));
  }

  private pipeline(doc: ArtifactDocument): void {
    const props = doc.properties as JsonObject;
    const activities = new Map<string, ActivityNode>();
    const base = { artifactType: "pipeline" as const, artifact: doc.name };
    const containers: ActivityNode[][] = [];
    const collect = (list: unknown, path: string, parent: ActivityNode | undefined) => {
      if (list === undefined) return;
      if (!Array.isArray(list)) {
        this.add({ ...base, path }, "invalid-artifact", "activities must be an array");
        return;
      }
      const container: ActivityNode[] = [];
      list.forEach((a, i) => {
        const p = `${path}[${i}]`;
        if (!isObject(a) || typeof a.name !== "string" || typeof a.type !== "string") {
          this.add({ ...base, path: p }, "invalid-artifact", "an activity needs a string name and type");
          return;
        }
        const node: ActivityNode = {
          name: a.name,
          type: a.type,
          json: a,
          path: p,
          parent,
          ancestors: new Set(),
        };
        if (activities.has(a.name))
          this.add(
            { ...base, path: `${p}.name`, activity: a.name },
            "duplicate-name",
            `two activities are named ${JSON.stringify(a.name)} in this pipeline`,
          );
        else activities.set(a.name, node);
        container.push(node);
        for (const [listPath, nested] of nestedLists(a, p)) collect(nested, listPath, node);
      });
      containers.push(container);
    };
    collect(props.activities, "properties.activities", undefined);
    for (const c of containers) this.graph(c, doc.name);

    const parameters = new Set(declared(props.parameters).keys());
    const variables = new Set(declared(props.variables).keys());
    const pipelineScope: Scope = {
      artifactType: "pipeline",
      artifact: doc.name,
      parameters,
      variables,
      activities,
    };
    const skip = new Set<unknown>([props.parameters, props.variables, props.activities]);
    this.walk(props, "properties", pipelineScope, skip);
    for (const node of activities.values()) {
      const scope: Scope = { ...pipelineScope, activity: node };
      const nested = new Set<unknown>(nestedLists(node.json, node.path).map(([, list]) => list));
      this.walk(node.json, node.path, scope, nested);
      this.activityRules(node, scope, pipelineScope);
    }
  }

  /** dependsOn names siblings; the graph of one container is acyclic. Fills `ancestors`. */
  private graph(container: readonly ActivityNode[], pipeline: string): void {
    const byName = new Map(container.map((n) => [n.name, n]));
    const edges = new Map<string, string[]>();
    for (const n of container) {
      const deps: string[] = [];
      const dependsOn = n.json.dependsOn;
      if (Array.isArray(dependsOn))
        dependsOn.forEach((d, i) => {
          const name = isObject(d) ? d.activity : undefined;
          const where = {
            artifactType: "pipeline" as const,
            artifact: pipeline,
            activity: n.name,
            path: `${n.path}.dependsOn[${i}]`,
          };
          if (typeof name !== "string")
            this.add(where, "invalid-artifact", "a dependency needs an activity name");
          else if (!byName.has(name))
            this.add(
              where,
              "unknown-dependency",
              `depends on ${JSON.stringify(name)}, which is not an activity of the same ${n.parent ? `container (${n.parent.name})` : "pipeline level"}`,
            );
          else deps.push(name);
        });
      edges.set(n.name, deps);
    }
    const state = new Map<string, "visiting" | "done">();
    const reported = new Set<string>();
    const visit = (name: string, stack: string[]): void => {
      if (state.get(name) === "done") return;
      if (state.get(name) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(name)), name];
        const key = [...cycle].sort().join("|");
        if (!reported.has(key)) {
          reported.add(key);
          const n = byName.get(name)!;
          this.add(
            { artifactType: "pipeline", artifact: pipeline, activity: name, path: `${n.path}.dependsOn` },
            "cycle",
            `activities depend on each other in a cycle: ${cycle.map((c) => JSON.stringify(c)).join(" → ")}`,
          );
        }
        return;
      }
      state.set(name, "visiting");
      for (const d of edges.get(name) ?? []) visit(d, [...stack, name]);
      state.set(name, "done");
    };
    for (const n of container) visit(n.name, []);
    const ancestors = (name: string, seen: Set<string>): Set<string> => {
      for (const d of edges.get(name) ?? [])
        if (!seen.has(d)) {
          seen.add(d);
          ancestors(d, seen);
        }
      return seen;
    };
    for (const n of container) for (const a of ancestors(n.name, new Set())) n.ancestors.add(a);
  }

  private activityRules(node: ActivityNode, scope: Scope, pipelineScope: Scope): void {
    const tp = isObject(node.json.typeProperties) ? node.json.typeProperties : {};
    const where = {
      artifactType: "pipeline" as const,
      artifact: scope.artifact,
      activity: node.name,
      path: `${node.path}.typeProperties`,
    };
    if (
      (node.type === "SetVariable" || node.type === "AppendVariable") &&
      typeof tp.variableName === "string"
    ) {
      if (!pipelineScope.variables.has(tp.variableName) && tp.setSystemVariable !== true)
        this.add(
          { ...where, path: `${where.path}.variableName` },
          "unknown-variable",
          `sets variable ${JSON.stringify(tp.variableName)}, which the pipeline does not declare`,
        );
    }
    if (
      node.type === "ExecutePipeline" &&
      isObject(tp.pipeline) &&
      typeof tp.pipeline.referenceName === "string"
    )
      this.passedParameters(
        "pipeline",
        tp.pipeline.referenceName,
        tp.parameters,
        where,
        `${where.path}.parameters`,
      );
  }

  /** Parameters passed to a dataset, linked service or pipeline are declared there; required ones are passed. */
  private passedParameters(
    type: ArtifactType,
    target: string,
    passed: unknown,
    where: { artifactType: ArtifactType; artifact: string; activity?: string | undefined },
    path: string,
  ): void {
    const doc = this.byType[type].get(target);
    if (!doc) return;
    const decl = declared((doc.properties as JsonObject).parameters);
    const given = isObject(passed) ? passed : {};
    for (const k of Object.keys(given))
      if (!decl.has(k))
        this.add(
          { ...where, path: `${path}.${k}` },
          "unknown-parameter",
          `passes parameter ${JSON.stringify(k)} to ${type} ${target}, which does not declare it (declared: ${[...decl.keys()].join(", ") || "none"})`,
        );
    for (const [k, d] of decl)
      if (!(k in given) && d.defaultValue === undefined)
        this.add(
          { ...where, path },
          "missing-parameter",
          `does not pass required parameter ${JSON.stringify(k)} of ${type} ${target}`,
        );
  }

  /** Visits every string (expressions) and reference object under `value`. */
  private walk(value: unknown, path: string, scope: Scope, skip: ReadonlySet<unknown>): void {
    if (skip.has(value)) return;
    if (typeof value === "string") {
      this.expression(value, path, scope);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) this.walk(v, `${path}[${i}]`, scope, skip);
      return;
    }
    if (!isObject(value)) return;
    this.reference(value, path, scope);
    for (const [k, v] of Object.entries(value)) {
      if (NOT_EVALUATED.has(k) && (typeof v === "string" || k === "annotations")) continue;
      this.walk(v, `${path}.${k}`, scope, skip);
    }
  }

  private reference(o: JsonObject, path: string, scope: Scope): void {
    const where = {
      artifactType: scope.artifactType,
      artifact: scope.artifact,
      activity: scope.activity?.name,
      path,
    };
    const name = o.referenceName;
    const kinds: { readonly [t: string]: [ArtifactType, LintRule] } = {
      DatasetReference: ["dataset", "unknown-dataset"],
      LinkedServiceReference: ["linkedService", "unknown-linked-service"],
      PipelineReference: ["pipeline", "unknown-pipeline"],
      TriggerReference: ["trigger", "unknown-trigger"],
    };
    const kind = typeof o.type === "string" ? kinds[o.type] : undefined;
    if (kind && typeof name === "string" && !name.startsWith("@")) {
      const [type, rule] = kind;
      if (!this.byType[type].has(name)) {
        this.add(
          { ...where, path: `${path}.referenceName` },
          rule,
          `references ${type} ${JSON.stringify(name)}, which the factory does not have`,
        );
      } else if (type === "dataset" || type === "linkedService") {
        this.passedParameters(type, name, o.parameters, where, `${path}.parameters`);
      }
    }
    if (isObject(o.pipelineReference) && typeof o.pipelineReference.referenceName === "string")
      this.passedParameters(
        "pipeline",
        o.pipelineReference.referenceName,
        o.parameters,
        where,
        `${path}.parameters`,
      );
    if (
      isObject(o.referenceTrigger) &&
      typeof o.referenceTrigger.referenceName === "string" &&
      !this.byType.trigger.has(o.referenceTrigger.referenceName)
    )
      this.add(
        { ...where, path: `${path}.referenceTrigger` },
        "unknown-trigger",
        `depends on trigger ${JSON.stringify(o.referenceTrigger.referenceName)}, which the factory does not have`,
      );
  }

  private expression(text: string, path: string, scope: Scope): void {
    const where = {
      artifactType: scope.artifactType,
      artifact: scope.artifact,
      activity: scope.activity?.name,
      path,
    };
    let expressions: Expression[];
    try {
      expressions = valueExpressions(parseAdfValue(text));
    } catch (e) {
      if (!(e instanceof ExpressionSyntaxError)) throw e;
      this.add(where, "expression-syntax", `${e.reason} at column ${e.position + 1}`, text);
      return;
    }
    for (const root of expressions)
      walkExpression(root, (node) => {
        if (node.kind === "call") this.call(node, text, where, scope);
        else if (node.kind === "member" || node.kind === "index") this.access(node, text, where, scope);
      });
  }

  private call(
    node: Extract<Expression, { kind: "call" }>,
    text: string,
    where: { artifactType: ArtifactType; artifact: string; activity: string | undefined; path: string },
    scope: Scope,
  ): void {
    const fn = adfFunction(node.name);
    if (!fn) {
      this.add(where, "unknown-function", `${node.name}() is not a Data Factory function`, text);
      return;
    }
    const n = node.args.length;
    if (n < fn.minArgs || n > fn.maxArgs) {
      const want =
        fn.minArgs === fn.maxArgs
          ? `${fn.minArgs}`
          : fn.maxArgs === Number.POSITIVE_INFINITY
            ? `at least ${fn.minArgs}`
            : `${fn.minArgs} to ${fn.maxArgs}`;
      this.add(
        where,
        "function-arity",
        `${fn.name}() takes ${want} argument${want === "1" ? "" : "s"}, not ${n}`,
        text,
      );
    }
    const only = (ok: boolean, message: string) => {
      if (!ok) this.add(where, "context-function", message, text);
      return ok;
    };
    const literal = node.args[0]?.kind === "string" ? node.args[0].value : undefined;
    switch (fn.name) {
      case "pipeline":
        only(scope.artifactType === "pipeline", "pipeline() is only available inside a pipeline");
        return;
      case "variables":
        if (
          only(scope.artifactType === "pipeline", "variables() is only available inside a pipeline") &&
          literal !== undefined &&
          !scope.variables.has(literal)
        )
          this.add(
            where,
            "unknown-variable",
            `variable ${JSON.stringify(literal)} is not declared by the pipeline (declared: ${[...scope.variables].join(", ") || "none"})`,
            text,
          );
        return;
      case "item": {
        let inForEach = false;
        for (let a = scope.activity?.parent; a; a = a.parent) if (a.type === "ForEach") inForEach = true;
        only(inForEach, "item() is only available inside a ForEach");
        return;
      }
      case "dataset":
        only(scope.artifactType === "dataset", "dataset() is only available inside a dataset");
        return;
      case "linkedService":
        only(
          scope.artifactType === "linkedService",
          "linkedService() is only available inside a linked service",
        );
        return;
      case "trigger":
        only(
          scope.artifactType === "pipeline" || scope.artifactType === "trigger",
          "trigger() is only available in pipelines and triggers",
        );
        return;
      case "activity": {
        if (
          !only(
            scope.artifactType === "pipeline" && scope.activity !== undefined,
            "activity() is only available inside an activity",
          ) ||
          literal === undefined
        )
          return;
        const target = scope.activities.get(literal);
        if (!target) {
          this.add(
            where,
            "unknown-activity",
            `activity ${JSON.stringify(literal)} does not exist in this pipeline`,
            text,
          );
          return;
        }
        if (!isUpstream(scope.activity!, literal))
          this.add(
            where,
            "activity-not-upstream",
            `activity ${JSON.stringify(literal)} is not upstream of ${JSON.stringify(scope.activity!.name)}: add it to dependsOn (directly or through another activity), or its output may not exist yet`,
            text,
          );
        return;
      }
      default:
        return;
    }
  }

  /** Property paths after `pipeline()`, `activity()`, `dataset()`, `linkedService()`, `trigger()`. */
  private access(
    node: Expression,
    text: string,
    where: { artifactType: ArtifactType; artifact: string; activity: string | undefined; path: string },
    scope: Scope,
  ): void {
    const chain = accessChain(node);
    // A dynamic index hides the rest of the path; the access before it reports the prefix.
    if (!chain?.complete) return;
    const fn = chain.call.name.toLowerCase();
    const [p0, p1] = chain.path;
    // Only the outermost access of a chain is checked, so each problem is reported once.
    if (p0 === undefined) return;
    if (fn === "pipeline" && scope.artifactType === "pipeline") {
      if (chain.path.length === 1 && !PIPELINE_SYSTEM.has(p0.toLowerCase()))
        this.add(where, "unknown-system-variable", `pipeline().${p0} is not a system variable`, text);
      if (chain.path.length === 2 && p0 === "parameters" && p1 !== undefined && !scope.parameters.has(p1))
        this.add(
          where,
          "unknown-parameter",
          `parameter ${JSON.stringify(p1)} is not declared by the pipeline (declared: ${[...scope.parameters].join(", ") || "none"})`,
          text,
        );
    } else if (
      (fn === "dataset" || fn === "linkedservice") &&
      scope.artifactType === (fn === "dataset" ? "dataset" : "linkedService")
    ) {
      if (chain.path.length === 1 && !scope.parameters.has(p0))
        this.add(
          where,
          "unknown-parameter",
          `parameter ${JSON.stringify(p0)} is not declared by the ${scope.artifactType} (declared: ${[...scope.parameters].join(", ") || "none"})`,
          text,
        );
    } else if (
      fn === "trigger" &&
      scope.artifactType === "trigger" &&
      scope.triggerType &&
      p0 === "outputs" &&
      chain.path.length === 2 &&
      p1 !== undefined
    ) {
      const allowed = TRIGGER_OUTPUTS[scope.triggerType];
      if (allowed && !allowed.includes(p1))
        this.add(
          where,
          "unknown-system-variable",
          `trigger().outputs.${p1} is not available in a ${scope.triggerType}${allowed.length ? ` (available: ${allowed.join(", ")})` : ""}`,
          text,
        );
    } else if (fn === "activity" && p0 === "output" && chain.path.length === 2 && p1 !== undefined) {
      const arg = chain.call.args[0];
      const target = arg?.kind === "string" ? scope.activities.get(arg.value) : undefined;
      if (target?.type !== "Lookup") return;
      const tp = isObject(target.json.typeProperties) ? target.json.typeProperties : {};
      const firstRowOnly = tp.firstRowOnly === undefined ? true : tp.firstRowOnly;
      if (firstRowOnly === true && (p1 === "value" || p1 === "count"))
        this.add(
          where,
          "activity-output-shape",
          `Lookup ${JSON.stringify(target.name)} reads the first row only (firstRowOnly is true): use output.firstRow, not output.${p1}`,
          text,
        );
      if (firstRowOnly === false && p1 === "firstRow")
        this.add(
          where,
          "activity-output-shape",
          `Lookup ${JSON.stringify(target.name)} returns every row (firstRowOnly is false): use output.value or output.count, not output.firstRow`,
          text,
        );
    }
  }
}

function nestedLists(a: JsonObject, path: string): [string, unknown][] {
  const tp = isObject(a.typeProperties) ? a.typeProperties : undefined;
  if (!tp) return [];
  const out: [string, unknown][] = [];
  for (const k of NESTED_LISTS) if (tp[k] !== undefined) out.push([`${path}.typeProperties.${k}`, tp[k]]);
  if (Array.isArray(tp.cases))
    tp.cases.forEach((c, i) => {
      if (isObject(c) && c.activities !== undefined)
        out.push([`${path}.typeProperties.cases[${i}].activities`, c.activities]);
    });
  return out;
}

/** True when `name` runs before `from` finishes starting: an ancestor in its container or of a container it is in. */
function isUpstream(from: ActivityNode, name: string): boolean {
  for (let a: ActivityNode | undefined = from; a; a = a.parent) if (a.ancestors.has(name)) return true;
  return false;
}
