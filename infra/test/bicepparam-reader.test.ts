import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBicepParams } from "../src/bicep/bicepparam-reader.ts";
import { INFRA } from "./estate.ts";

describe("readBicepParams: parameters for the ARM SDK path without the Bicep CLI", () => {
  it("reads literal values and environment variables with their fallbacks", () => {
    const dev = readBicepParams(join(INFRA, "env/dev.bicepparam"), {
      SALESLAKE_ALERT_EMAIL: "oncall@example.org",
    });
    expect(dev.using).toBe("../main.bicep");
    expect(dev.values).toEqual({
      environment: "dev",
      storageSku: "Standard_LRS",
      softDeleteDays: 7,
      sqlDatabaseSku: "Basic",
      logRetentionDays: 30,
      deploySynapse: false,
      sqlAdminGroupName: "saleslake-dev-sql-admins",
      sqlAdminGroupObjectId: "00000000-0000-0000-0000-000000000000",
      alertEmail: "oncall@example.org",
      deployerIpAddress: "",
    });
  });

  it("production has no fallbacks: a missing variable is a typed error naming it", () => {
    expect(() => readBicepParams(join(INFRA, "env/prod.bicepparam"), {})).toThrow(
      expect.objectContaining({
        code: "MISSING_ARTIFACT",
        message: expect.stringMatching(/SALESLAKE_SQL_ADMIN_GROUP_ID, which is not set/),
      }),
    );
  });
});
