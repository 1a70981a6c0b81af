import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumerNames, type Link, link, linksBetween } from "../../../harness/network/links.ts";

const names = (links: readonly Link[]) => links.map((l) => l.name);

describe("link", () => {
  test("names a link from->to and keeps both ends", () => {
    assert.deepEqual(link("a1", "a2"), { name: "a1->a2", from: "a1", to: "a2" });
  });
});

describe("consumerNames", () => {
  test("consumer-N, 1-based", () => {
    assert.deepEqual(consumerNames(0), []);
    assert.deepEqual(consumerNames(2), ["consumer-1", "consumer-2"]);
  });
});

describe("linksBetween", () => {
  const chain = [link("producers", "a1"), link("a1", "a2"), link("a2", "collector")];

  test("cuts only the links whose ends sit in different groups", () => {
    assert.deepEqual(
      names(
        linksBetween(chain, [
          ["producers", "a1"],
          ["a2", "collector"],
        ]),
      ),
      ["a1->a2"],
    );
    assert.deepEqual(names(linksBetween(chain, [["a1"], ["producers", "a2", "collector"]])), [
      "producers->a1",
      "a1->a2",
    ]);
  });

  test("nodes in no group are untouched: their links are never cut", () => {
    // collector is in no group, so a2->collector stays; producers is in no group either.
    assert.deepEqual(names(linksBetween(chain, [["a1"], ["a2"]])), ["a1->a2"]);
    assert.deepEqual(linksBetween(chain, [["producers"], ["collector"]]), []);
  });

  test("links inside one group are kept; three groups cut every crossing link", () => {
    assert.deepEqual(linksBetween(chain, [["producers", "a1", "a2"], ["nobody"]]), []);
    assert.deepEqual(names(linksBetween(chain, [["producers"], ["a1"], ["a2", "collector"]])), [
      "producers->a1",
      "a1->a2",
    ]);
  });

  test("works in both directions and for fan-outs", () => {
    const fan = [link("producers", "a1"), link("a1", "collectorA"), link("a1", "collectorB")];
    assert.deepEqual(names(linksBetween(fan, [["collectorA"], ["a1"]])), ["a1->collectorA"]);
    assert.deepEqual(names(linksBetween(fan, [["a1"], ["collectorA", "collectorB"]])), [
      "a1->collectorA",
      "a1->collectorB",
    ]);
  });
});
