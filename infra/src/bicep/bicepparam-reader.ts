import { readFileSync } from "node:fs";
import { InfraError } from "../infra-error.ts";
import { readBicep } from "./bicep-reader.ts";
import { BicepExpression, BicepLoop, type BicepValue, isBicepObject } from "./bicep-syntax.ts";

export interface BicepParams {
  /** The template the file is for (`using '…'`). */
  readonly using: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Reads a `.bicepparam` file without the Bicep CLI, for deploying a compiled template: literal
 * values and `readEnvironmentVariable('NAME'[, 'default'])`. Anything else needs `bicep build-params`.
 */
export function readBicepParams(file: string, env: NodeJS.ProcessEnv = process.env): BicepParams {
  const text = readFileSync(file, "utf8");
  const using = /^using\s+'([^']+)'/m.exec(text)?.[1];
  if (!using)
    throw new InfraError("MISSING_ARTIFACT", `${file} has no \`using '<template>'\` line`, {
      hint: "A parameters file starts with `using '../main.bicep'`.",
      file,
    });
  // The values of `param x = v` read like the values of `var x = v`.
  const asVars = text.replace(/^using\s.*$/m, "").replace(/^param\s+(\w+)\s*=/gm, "var $1 =");
  const parsed = readBicep(file, asVars);
  const values: Record<string, unknown> = {};
  for (const [name, v] of parsed.vars) values[name] = evaluate(v, name, file, env);
  return { using, values };
}

function evaluate(v: BicepValue, name: string, file: string, env: NodeJS.ProcessEnv): unknown {
  if (v instanceof BicepExpression) {
    const m = /^readEnvironmentVariable\(\s*'([^']+)'\s*(?:,\s*'([^']*)'\s*)?\)$/.exec(v.text);
    if (!m)
      throw new InfraError(
        "MISSING_ARTIFACT",
        `${file}: param ${name} = ${v.text} needs the Bicep CLI to evaluate`,
        {
          hint: "Install the Bicep CLI (`az bicep install`) so the build compiles the parameters, or use literal values.",
          file,
        },
      );
    const value = env[m[1]!] ?? m[2];
    if (value === undefined)
      throw new InfraError(
        "MISSING_ARTIFACT",
        `${file}: param ${name} reads environment variable ${m[1]}, which is not set`,
        {
          hint: `Set ${m[1]} for this environment and rerun.`,
          file,
        },
      );
    return value;
  }
  if (v instanceof BicepLoop)
    throw new InfraError("MISSING_ARTIFACT", `${file}: param ${name} uses a for-expression`, {
      hint: "Install the Bicep CLI so the build compiles the parameters.",
      file,
    });
  if (Array.isArray(v)) return v.map((x: BicepValue) => evaluate(x, name, file, env));
  if (isBicepObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluate(x, name, file, env)]));
  return v;
}
