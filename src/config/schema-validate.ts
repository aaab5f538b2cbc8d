// Validates a parsed configuration against flowgate's own JSON Schemas (src/config/schema/) with
// ajv, and turns ajv's errors into ConfigIssues: a dotted path, what is wrong, and the expected
// value taken from the `description` the schema gives each field.

import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import common from "./schema/common.schema.json" with { type: "json" };
import jsonConfig from "./schema/json-config.schema.json" with { type: "json" };
import tomlConfig from "./schema/toml-config.schema.json" with { type: "json" };
import { urlWithoutSecrets } from "../shared/index.ts";
import { childPath, throwIfAny, type ConfigIssue } from "./issues.ts";
import { cachedValidator } from "./schema-cache.ts";

export type ConfigFormat = "json" | "toml";

const SCHEMAS: Record<ConfigFormat, object> = { json: jsonConfig, toml: tomlConfig };
const validators = new Map<ConfigFormat, ValidateFunction>();

/** The validator of one format, loaded (schema-cache.ts) on first use: a start validates one format only. */
function compiled(format: ConfigFormat): ValidateFunction {
  let validate = validators.get(format);
  if (!validate) {
    // The validator runs once per start, so ajv's pass that tidies the generated code costs more
    // (about 20 ms of a cold start) than it could ever save.
    validate = cachedValidator(SCHEMAS[format], [common], { allErrors: true, verbose: true, strict: true, code: { optimize: false } });
    validators.set(format, validate);
  }
  return validate;
}

type SchemaNode = { description?: string; properties?: Record<string, SchemaNode> };

function pathOf(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<string>((path, segment) => childPath(path, /^\d+$/.test(segment) ? Number(segment) : segment), "");
}

function describe(node: SchemaNode | undefined, fallback: string): string {
  return node?.description ? `expected ${node.description}` : fallback;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function toIssue(error: ErrorObject): ConfigIssue | undefined {
  const parent = error.parentSchema as SchemaNode | undefined;
  const at = pathOf(error.instancePath);
  // A string the value of a URL-shaped field is shown without user info or query: a key may be there.
  const got =
    typeof error.data === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(error.data) ? JSON.stringify(urlWithoutSecrets(error.data)) : JSON.stringify(error.data);
  // "if" and "propertyNames" only summarise the errors ajv reports beside them.
  if (error.keyword === "if" || error.keyword === "propertyNames") return undefined;
  if (error.propertyName !== undefined) {
    return {
      path: childPath(at, error.propertyName),
      problem: `the name "${error.propertyName}" is not allowed here`,
      expected: describe(parent, "a different name"),
    };
  }
  switch (error.keyword) {
    case "additionalProperties": {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(parent?.properties ?? {}).join(", ");
      return {
        path: childPath(at, field),
        problem: `unknown field "${field}"`,
        expected: `remove it or correct its spelling; ${parent?.description ? `${at || "the document"} is ${parent.description}, and ` : ""}the fields allowed in ${at || "the top level"} are: ${allowed}`,
      };
    }
    case "required": {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return {
        path: childPath(at, field),
        problem: "required field is missing",
        expected: describe(parent?.properties?.[field], `add the field "${field}"`),
      };
    }
    case "type":
      return {
        path: at || "configuration",
        problem: `has type ${jsonType(error.data)} (${got}), expected ${(error.params as { type: string }).type}`,
        expected: describe(parent, `a value of type ${(error.params as { type: string }).type}`),
      };
    case "enum":
    case "const":
      return { path: at, problem: `${got} is not an allowed value`, expected: describe(parent, "an allowed value") };
    case "minProperties":
      return { path: at, problem: "must not be empty", expected: describe(parent, "at least one entry") };
    default:
      return { path: at || "configuration", problem: `${error.message ?? "is invalid"} (got ${got})`, expected: describe(parent, "a valid value") };
  }
}

/** Validates `document`; throws a ConfigError listing every schema violation. */
export function validateAgainstSchema(document: unknown, format: ConfigFormat): void {
  const validate = compiled(format);
  if (validate(document)) return;
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of validate.errors ?? []) {
    const issue = toIssue(error);
    const key = issue && `${issue.path}\n${issue.problem}`;
    if (!issue || !key || seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  throwIfAny(issues, { schema: true });
}
