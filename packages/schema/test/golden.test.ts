import { describe, expect, it } from "vitest";
import { salesEntities, schemaArtifacts } from "../src/index.ts";

// Whole-text goldens. Regenerate deliberately with `pnpm --filter @saleslake/schema test -u` and review the diff.
describe.each(salesEntities.map((e) => [e.name, e] as const))("artifacts of %s", (name, entity) => {
  const artifacts = schemaArtifacts(entity);
  it.each(Object.keys(artifacts))("%s", async (file) => {
    await expect(artifacts[file]).toMatchFileSnapshot(`__golden__/${name}/${file}`);
  });
  it("is deterministic", () => {
    expect(schemaArtifacts(entity)).toEqual(artifacts);
  });
});
