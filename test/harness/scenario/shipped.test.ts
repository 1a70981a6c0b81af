// Every scenario the repository ships validates, in whichever topic folder it lives, and no two
// share a name (run directories, baselines and trends are keyed by it). A scenario shown in two
// folders is one file linked into the second, never a copy that could drift.
import assert from "node:assert/strict";
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { loadScenario } from "../../../harness/scenario/load.ts";

const root = join(import.meta.dirname, "../../..");
const dir = join(root, "scenarios");

test("every shipped scenario validates and names are unique", async () => {
  const names = new Map<string, string>();
  let linked = 0;
  const folders = readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory());
  assert.ok(folders.includes("default") && folders.includes("ci"));
  for (const folder of folders) {
    for (const f of readdirSync(join(dir, folder)).filter((x) => /\.ya?ml$/.test(x))) {
      const path = join(dir, folder, f);
      const file = relative(root, path);
      if (lstatSync(path).isSymbolicLink()) {
        const target = relative(dir, realpathSync(path));
        assert.ok(!target.startsWith(".."), `${file}: links outside scenarios/ (${target})`);
        linked++;
        continue;
      }
      const s = await loadScenario(path);
      assert.ok(!names.has(s.name), `${file}: name ${s.name} also in ${names.get(s.name)}`);
      names.set(s.name, file);
    }
  }
  assert.ok(names.size >= 16);
  assert.ok(linked >= 2, "the default suite links the two most telling cluster scenarios");
});
