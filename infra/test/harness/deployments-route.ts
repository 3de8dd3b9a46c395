import type { ArmRoute } from "@saleslake/adf-templates/testing";

const DEPLOYMENT =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Resources\/deployments\/[^/]+$/i;

type Parameters = Record<string, { value?: unknown }>;

/** The little of ARM's template language the test template's outputs use. */
function evaluate(value: unknown, params: Parameters, defaults: Parameters): unknown {
  if (typeof value !== "string" || !value.startsWith("[")) return value;
  const param = (name: string) =>
    params[name]?.value ?? (defaults[name] as { defaultValue?: unknown })?.defaultValue;
  let m = /^\[parameters\('(\w+)'\)\]$/.exec(value);
  if (m) return param(m[1]!);
  m = /^\[if\(parameters\('(\w+)'\), '([^']*)', '([^']*)'\)\]$/.exec(value);
  if (m) return param(m[1]!) === true ? m[2] : m[3];
  return value;
}

/**
 * Resource Manager deployments on the recorder: a PUT completes at once (Succeeded) with the
 * template's outputs evaluated; GET then returns it as stored (generic store).
 */
export const deploymentsRoute: ArmRoute = (r, rec) => {
  if (r.method !== "PUT" || !DEPLOYMENT.test(r.path)) return undefined;
  const body = r.body as {
    properties: {
      template: { outputs?: Record<string, { type: string; value: unknown }>; parameters?: Parameters };
      parameters?: Parameters;
      mode: string;
    };
    tags?: Record<string, string>;
  };
  const params = body.properties.parameters ?? {};
  const outputs = Object.fromEntries(
    Object.entries(body.properties.template.outputs ?? {}).map(([k, o]) => [
      k,
      { type: o.type, value: evaluate(o.value, params, body.properties.template.parameters ?? {}) },
    ]),
  );
  const existed = rec.get(r.path) !== undefined;
  const stored = rec.put(r.path, {
    tags: body.tags ?? {},
    properties: { mode: body.properties.mode, provisioningState: "Succeeded", parameters: params, outputs },
  });
  return { status: existed ? 200 : 201, body: stored };
};
