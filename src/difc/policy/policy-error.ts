/** A guard policy (or a value derived from one) is invalid; the message names the field and the rule. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
}
