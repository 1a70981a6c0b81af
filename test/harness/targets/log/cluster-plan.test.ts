import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterLinks, clusterNodeArgs, voters } from "../../../../harness/targets/log/cluster-plan.ts";

test("combined: broker↔broker and broker→controller links, Raft over the same proxies", () => {
  const s = { brokers: 3, controllers: "combined" as const };
  const links = clusterLinks(s);
  const names = links.map((l) => l.name).sort();
  assert.deepEqual(names, [
    "broker-1->broker-2",
    "broker-1->broker-3",
    "broker-1->controller-2",
    "broker-1->controller-3",
    "broker-2->broker-1",
    "broker-2->broker-3",
    "broker-2->controller-1",
    "broker-2->controller-3",
    "broker-3->broker-1",
    "broker-3->broker-2",
    "broker-3->controller-1",
    "broker-3->controller-2",
  ]);
  // A partition group naming broker-2 cuts the links to its controller too.
  assert.equal(links.find((l) => l.name === "broker-1->controller-2")!.to, "broker-2");
  const listen = new Map(links.map((l, i) => [l.name, 20_000 + i]));
  const args = clusterNodeArgs(s, "broker-1", {
    kafka: new Map([["broker-1", 9001]]),
    controller: new Map([
      [1, 9101],
      [2, 9102],
      [3, 9103],
    ]),
    listen,
  });
  const at = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
  assert.deepEqual(at("--controllers"), [
    `1@127.0.0.1:9101,2@127.0.0.1:${listen.get("broker-1->controller-2")},3@127.0.0.1:${listen.get("broker-1->controller-3")}`,
  ]);
  assert.deepEqual(at("--controller-port"), ["9101"]);
  assert.deepEqual(at("--roles"), ["broker,controller"]);
  assert.deepEqual(at("--peer"), [
    `2=127.0.0.1:${listen.get("broker-1->broker-2")}`,
    `3=127.0.0.1:${listen.get("broker-1->broker-3")}`,
  ]);
});

test("dedicated controllers: their own processes, Raft links between them, brokers reach each", () => {
  const s = { brokers: 2, controllers: 3 as const };
  assert.deepEqual(
    voters(s).map((v) => [v.id, v.host]),
    [
      [101, "controller-1"],
      [102, "controller-2"],
      [103, "controller-3"],
    ],
  );
  const links = clusterLinks(s);
  assert.ok(links.some((l) => l.name === "controller-1->controller-2" && l.port === "controller"));
  assert.ok(links.some((l) => l.name === "broker-2->controller-3" && l.to === "controller-3"));
  const listen = new Map(links.map((l, i) => [l.name, 20_000 + i]));
  const args = clusterNodeArgs(s, "controller-2", {
    kafka: new Map(),
    controller: new Map([
      [101, 9101],
      [102, 9102],
      [103, 9103],
    ]),
    listen,
  });
  assert.ok(args.includes("controller"));
  assert.ok(args.join(" ").includes(`101@127.0.0.1:${listen.get("controller-2->controller-1")}`));
  assert.ok(args.join(" ").includes("102@127.0.0.1:9102"));
});
