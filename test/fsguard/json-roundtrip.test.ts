// The guard's JSON reader must accept whatever a server answers and hand it back unchanged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configuredGuard, ROOT } from "./policy.ts";

const guard = await configuredGuard();

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("filesystem guard JSON handling", () => {
  it("returns any JSON tool result unchanged as the data of a single-file read", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (result) => {
        const input = { capabilities: {}, tool_args: { path: `${ROOT}/a.md` }, tool_name: "read_text_file", tool_result: result };
        const answer = guard.callJson("label_response", input) as { items: { data: unknown }[] };
        expect(answer.items[0]?.data).toEqual(JSON.parse(JSON.stringify(result)));
      }),
      { numRuns: 100 },
    );
  });

  it("decodes any string in a listing exactly, escapes and all", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: "binary", minLength: 1 }).filter((s) => !s.includes("\n") && !s.includes("/")),
          { maxLength: 5 },
        ),
        (names) => {
          const text = names.map((name) => `[FILE] ${name}`).join("\n");
          const input = { capabilities: {}, tool_args: { path: ROOT }, tool_name: "list_directory", tool_result: { content: [{ type: "text", text }] } };
          const answer = guard.callJson("label_response", input) as { items: { data: string }[] };
          expect(answer.items.map((item) => item.data)).toEqual(text === "" ? [] : text.split("\n"));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("answers every malformed input with −1 or a rejection instead of trapping", () => {
    const malformed = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1))),
      fc.json().map((text) => `${text}]`),
    );
    fc.assert(
      fc.property(malformed, (text) => {
        fc.pre(!isJson(text));
        expect(guard.callRaw("label_resource", text).code).toBe(-1);
        expect(guard.callRaw("label_response", text).code).toBe(-1);
        expect(JSON.parse(guard.callRaw("label_agent", text).output)).toEqual({
          success: false,
          error: "label_agent input is not a JSON object",
        });
      }),
      { numRuns: 150 },
    );
  });
});
