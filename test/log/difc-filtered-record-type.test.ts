// The DIFC engine's difc_filtered fields and the logger's record are declared apart, because src/difc
// imports nothing of ours. The type check fails the day they differ: this test runs under tsc.
import { describe, expectTypeOf, it } from "vitest";
import type { DifcFilteredFields } from "../../src/difc/index.ts";
import type { DifcFilteredRecord } from "../../src/log/index.ts";

describe("DifcFilteredFields and DifcFilteredRecord", () => {
  it("are the same type", () => {
    expectTypeOf<DifcFilteredFields>().toEqualTypeOf<DifcFilteredRecord>();
  });
});
