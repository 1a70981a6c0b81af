import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { histogramPool } from "../../../harness/baseline/histograms.ts";
import { loadSampleSet, resolveSetDir } from "../../../harness/baseline/sample-set.ts";
import { saveBaseline } from "../../../harness/baseline/save.ts";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { gateResults, writeRepeatSet } from "../../helpers/gate-samples.ts";

const tmp = mkdtempSync(join(tmpdir(), "fb-baseline-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("baselines", () => {
  const set = writeRepeatSet(
    join(tmp, "set"),
    [1, 2, 3].map((i) => [gateResults(i, { scenario: "a" }), gateResults(10 + i, { scenario: "b" })]),
  );
  const store = join(tmp, "baselines");

  test("a repeat set loads as every repeat of every scenario", () => {
    const s = loadSampleSet(set, store);
    assert.equal(s.kind, "repeats");
    assert.deepEqual([...s.scenarios.keys()], ["a", "b"]);
    assert.equal(s.scenarios.get("a")?.length, 3);
  });

  test("save keeps results, histograms and scenario per repeat, not the history; found by name", async () => {
    const saved = await saveBaseline(set, "main", store);
    assert.deepEqual(saved.scenarios, { a: 3, b: 3 });
    const dir = join(store, "main");
    const meta = JSON.parse(readFileSync(join(dir, "baseline.json"), "utf8"));
    assert.equal(meta.gitCommit, "abc");
    assert.equal(meta.environment.cpus, 2);
    assert.ok(existsSync(join(dir, "a", "repeat-2", "results.json")));
    assert.ok(existsSync(join(dir, "a", "repeat-2", "scenario.yaml")));
    assert.ok(!existsSync(join(dir, "a", "repeat-2", "history.ndjson")));
    assert.equal(resolveSetDir("main", store), dir);
    const loaded = loadSampleSet("main", store);
    assert.equal(loaded.kind, "baseline");
    const runs = loaded.scenarios.get("a") ?? [];
    assert.equal(runs.length, 3);
    // The histograms survive the copy and merge: the merged p50 lies between the repeats' own.
    const encoded = runs.map((r) => r.results.histograms?.endToEnd.corrected as string);
    const pool = histogramPool(encoded);
    const [merged] = pool.merge([0, 1, 2], [50]);
    const own = runs.map((r) => r.results.latency.endToEnd.corrected.p50);
    assert.ok((merged as number) >= Math.min(...own) - 0.01 && (merged as number) <= Math.max(...own) + 0.01);
    // Saving again replaces it.
    await saveBaseline(join(set, "repeat-1"), "main", store);
    assert.equal(loadSampleSet("main", store).scenarios.get("a")?.length, 1);
  });

  test("bad names and missing baselines are bad input with the fix", async () => {
    await assert.rejects(
      saveBaseline(set, "../x", store),
      (e) => isFaultbenchError(e) && e.code === "FB_USAGE",
    );
    assert.throws(
      () => loadSampleSet("nightly", store),
      (e) => isFaultbenchError(e) && e.code === "FB_RUN_DIR" && /faultbench baseline save/.test(e.message),
    );
    assert.throws(
      () => loadSampleSet(tmp, store),
      (e) => isFaultbenchError(e) && /not a run directory/.test(e.message),
    );
  });
});
