import { describe, expect, it } from "vitest";
import { label } from "../../src/difc/index.ts";
import { accessDeniedLogLine } from "../../src/enforce/index.ts";
import { secrecyMarker } from "../../src/log/index.ts";

const tainted = { secrecy: label(["private:octo/priv"]), integrity: label() };
const clean = { secrecy: label(), integrity: label() };
const resource = (description: string) => ({ description, secrecy: label(), integrity: label(["approved:octo/priv"]) });

describe("the Access DENIED log line", () => {
  it.each([
    {
      name: "a clean agent's line names the resource",
      agent: clean,
      description: "repo:octo/secret-name",
      expected: "Access DENIED for agent a to repo:octo/secret-name: integrity too low for repo:octo/secret-name",
    },
    {
      name: "a tainted agent's line shows the marker in the description and wherever the reason quotes it",
      agent: tainted,
      description: "repo:octo/secret-name",
      expected: `Access DENIED for agent a to ${secrecyMarker("repo:octo/secret-name")}: integrity too low for ${secrecyMarker("repo:octo/secret-name")}`,
    },
    {
      name: "an empty description leaves the reason as it is, with no marker between its characters",
      agent: tainted,
      description: "",
      expected: `Access DENIED for agent a to ${secrecyMarker("")}: integrity too low for `,
    },
  ])("$name", ({ agent, description, expected }) => {
    expect(accessDeniedLogLine("a", agent, resource(description), `integrity too low for ${description}`)).toBe(expected);
  });
});
