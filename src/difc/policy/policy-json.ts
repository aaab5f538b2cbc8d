import type { AllowOnlyPolicy } from "./allow-only.ts";
import type { GuardPolicy } from "./guard-policy.ts";

/** The JSON form of a validated policy, as sent to label_agent and hashed for its cache. */
export function guardPolicyToJson(policy: GuardPolicy): Record<string, unknown> {
  if (policy.kind === "write-sink") {
    const sink: Record<string, unknown> = { accept: [...policy.writeSink.accept] };
    if (policy.writeSink.sinkVisibility !== undefined) sink["sink-visibility"] = policy.writeSink.sinkVisibility;
    return { "write-sink": sink };
  }
  return { "allow-only": allowOnlyToJson(policy.allowOnly) };
}

export function allowOnlyToJson(policy: AllowOnlyPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = {
    repos: typeof policy.repos === "string" ? policy.repos : [...policy.repos],
    "min-integrity": policy.minIntegrity,
  };
  const optional: Array<[string, unknown]> = [
    ["blocked-users", policy.blockedUsers],
    ["approval-labels", policy.approvalLabels],
    ["trusted-users", policy.trustedUsers],
    ["refusal-labels", policy.refusalLabels],
    ["endorsement-reactions", policy.endorsementReactions],
    ["disapproval-reactions", policy.disapprovalReactions],
    ["disapproval-integrity", policy.disapprovalIntegrity],
    ["endorser-min-integrity", policy.endorserMinIntegrity],
    ["promotion-label", policy.promotionLabel],
    ["demotion-label", policy.demotionLabel],
  ];
  for (const [key, value] of optional) if (value !== undefined) out[key] = Array.isArray(value) ? [...value] : value;
  if (policy.toolCallLimits.size > 0) out["tool-call-limits"] = Object.fromEntries(policy.toolCallLimits);
  return out;
}
