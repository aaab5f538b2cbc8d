import type { CaseGroup } from "../harness.ts";
import { cfgGroup } from "./cfg.ts";
import { authGroup, isoGroup } from "./iso-auth.ts";
import { gpGroup, lifeGroup, otelGroup } from "./life-otel-guards.ts";
import { errGroup, outGroup } from "./out-err.ts";
import { ptlGroup } from "./ptl.ts";
import { hltGroup, tmoGroup } from "./tmo-hlt.ts";
import { wsGroup } from "./ws.ts";

/** Every group of the specification's §11.1, in its order: 102 tests. */
export function allGroups(): CaseGroup[] {
  return [cfgGroup(), ptlGroup(), isoGroup(), authGroup(), tmoGroup(), hltGroup(), outGroup(), errGroup(), lifeGroup(), otelGroup(), gpGroup(), wsGroup()];
}
