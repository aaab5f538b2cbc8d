import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accumulateFromRead,
  evaluate,
  filterCollection,
  isAllowed,
  overallLabels,
  type AgentLabels,
  type EnforcementMode,
  type LabeledCollection,
  type Operation,
  type ResourceLabels,
} from "../../src/difc/index.ts";

// A small alphabet (with the wildcard) so that generated labels overlap often.
const tag = fc.constantFrom("a", "b", "c", "private:o/r", "approved:o/r", "*");
const tagSet = fc.uniqueArray(tag, { maxLength: 4 }).map((tags) => new Set(tags));
const agentArb: fc.Arbitrary<AgentLabels> = fc.record({ secrecy: tagSet, integrity: tagSet });
const resourceArb: fc.Arbitrary<ResourceLabels> = fc.record({ description: fc.constant("r"), secrecy: tagSet, integrity: tagSet });
const mode = fc.constantFrom<EnforcementMode>("strict", "filter", "propagate");
const operation = fc.constantFrom<Operation>("read", "write", "read-write");
// Items either carry labels of their own or share label objects from a small pool, as labelResponse hands them out.
const collectionArb: fc.Arbitrary<LabeledCollection> = fc.oneof(
  fc.record({ items: fc.array(fc.record({ data: fc.nat(), labels: resourceArb }), { maxLength: 8 }) }),
  fc
    .tuple(fc.array(resourceArb, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 12 }))
    .map(([pool, picks]) => ({ items: picks.map((pick) => ({ data: pick, labels: pool[pick % pool.length] as ResourceLabels })) })),
);

const allowed = (a: AgentLabels, r: ResourceLabels, op: Operation, m: EnforcementMode) => isAllowed(evaluate(a, r, op, m));
const withTags = (labels: ReadonlySet<string>, extra: ReadonlySet<string>) => new Set([...labels, ...extra]);
const subset = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].every((t) => b.has(t));

describe("laws of the DIFC model", () => {
  it("adding secrecy to a resource never turns a denied read into an allowed one", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, tagSet, fc.constantFrom<EnforcementMode>("strict", "filter"), (a, r, extra, m) => {
        fc.pre(!allowed(a, r, "read", m));
        expect(allowed(a, { ...r, secrecy: withTags(r.secrecy, extra) }, "read", m)).toBe(false);
      }),
    );
  });

  it("adding integrity requirements to a resource never turns a denied write into an allowed one", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, tagSet, mode, (a, r, extra, m) => {
        fc.pre(!allowed(a, r, "write", m));
        expect(allowed(a, { ...r, integrity: withTags(r.integrity, extra) }, "write", m)).toBe(false);
      }),
    );
  });

  it("an agent carrying more secrecy is never allowed a write it was denied", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, tagSet, mode, (a, r, extra, m) => {
        fc.pre(!allowed(a, r, "write", m));
        expect(allowed({ ...a, secrecy: withTags(a.secrecy, extra) }, r, "write", m)).toBe(false);
      }),
    );
  });

  it("read-write is allowed exactly when both read and write are (strict and filter)", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, fc.constantFrom<EnforcementMode>("strict", "filter"), (a, r, m) => {
        expect(allowed(a, r, "read-write", m)).toBe(allowed(a, r, "read", m) && allowed(a, r, "write", m));
      }),
    );
  });

  it("writes are decided the same in every mode, and propagate mode allows every read", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, (a, r) => {
        const decisions = (["strict", "filter", "propagate"] as const).map((m) => evaluate(a, r, "write", m));
        expect(decisions[1]).toEqual(decisions[0]);
        expect(decisions[2]).toEqual(decisions[0]);
        expect(allowed(a, r, "read", "propagate")).toBe(true);
      }),
    );
  });

  it("a denial always names at least one tag, integrity first", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, operation, mode, (a, r, op, m) => {
        const result = evaluate(a, r, op, m);
        if (result.decision !== "deny") return;
        expect(result.secrecyToAdd.length + result.integrityToDrop.length).toBeGreaterThan(0);
        expect(result.secrecyToAdd.length === 0 || result.integrityToDrop.length === 0).toBe(true);
        expect(result.reason).not.toBe("");
      }),
    );
  });

  it("filtering never returns an item the evaluator denies, and keeps order and count", () => {
    fc.assert(
      fc.property(collectionArb, agentArb, operation, mode, (collection, a, op, m) => {
        const outcome = filterCollection(collection, a, { agentId: "x", serverId: "s", toolName: "list_x", operation: op, mode: m });
        const expected = collection.items.filter((item) => allowed(a, item.labels, op, m));
        if (outcome.kind === "blocked") {
          expect(m).toBe("strict");
          expect(outcome.filtered.length).toBeGreaterThan(0);
          return;
        }
        expect(outcome.kind).toBe("filtered");
        if (outcome.kind !== "filtered") return;
        expect(outcome.kept).toEqual(expected);
        expect(outcome.kept.length + outcome.filtered.length).toBe(collection.items.length);
        for (const entry of outcome.filtered) expect(allowed(a, entry.item.labels, op, m)).toBe(false);
      }),
    );
  });

  it("propagation is monotonic: secrecy only grows, integrity only shrinks", () => {
    fc.assert(
      fc.property(agentArb, fc.array(agentArb, { maxLength: 5 }), (start, reads) => {
        let current = start;
        for (const read of reads) {
          const next = accumulateFromRead(current, read);
          expect(subset(current.secrecy, next.secrecy)).toBe(true);
          expect(subset(next.integrity, current.integrity)).toBe(true);
          current = next;
        }
      }),
    );
  });

  it("after absorbing what it read, the agent may read it in strict mode", () => {
    fc.assert(
      fc.property(agentArb, resourceArb, (a, r) => {
        expect(allowed(accumulateFromRead(a, r), r, "read", "strict")).toBe(true);
      }),
    );
  });

  it("a collection's overall labels are the union of its items' secrecy and the intersection of their integrity", () => {
    fc.assert(
      fc.property(collectionArb, (collection) => {
        const { secrecy, integrity } = overallLabels(collection);
        const labels = collection.items.map((item) => item.labels);
        expect([...secrecy].sort()).toEqual([...new Set(labels.flatMap((l) => [...l.secrecy]))].sort());
        const [first, ...rest] = labels;
        const common = first === undefined ? [] : [...first.integrity].filter((t) => rest.every((l) => l.integrity.has(t)));
        expect([...integrity].sort()).toEqual(common.sort());
      }),
    );
  });

  it("after absorbing a collection, the agent may read every item of it in strict mode", () => {
    fc.assert(
      fc.property(agentArb, collectionArb, (a, collection) => {
        const after = accumulateFromRead(a, overallLabels(collection));
        for (const item of collection.items) expect(allowed(after, item.labels, "read", "strict")).toBe(true);
      }),
    );
  });
});
