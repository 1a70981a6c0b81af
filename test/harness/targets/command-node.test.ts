import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { commandNode, controlFacts, waitForListener } from "../../../harness/targets/command-node.ts";

test("each fault runs its argument list without a shell; a failing command fails the step with its last line", async () => {
  const lines: string[] = [];
  const n = commandNode(
    "b1",
    {
      kill: [process.execPath, "-e", "process.stdout.write('killed $HOME')"],
      pause: [
        process.execPath,
        "-e",
        "console.error('first'); console.error('no such process'); process.exit(3)",
      ],
      timeout: 10_000,
    },
    (l) => lines.push(l),
  );
  await n.kill();
  assert.ok(lines.includes("killed $HOME"), "no shell expanded $HOME");
  await assert.rejects(n.pause(), /pause command failed \(exit 3\): no such process/);
  await assert.rejects(n.resume(), /b1 has no resume command/);
});

test("a command past its timeout fails the step", async () => {
  const n = commandNode(
    "b1",
    { stop: [process.execPath, "-e", "setTimeout(() => {}, 5000)"], timeout: 200 },
    () => {},
  );
  await assert.rejects(n.stop(), /stop command ran longer than 200 ms/);
});

test("start waits until the address accepts connections", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const n = commandNode("b1", { start: ["true"], address: `127.0.0.1:${port}`, timeout: 2000 }, () => {});
  await n.start();
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(waitForListener(`127.0.0.1:${port}`, 300), /did not accept connections within 300 ms/);
});

test("the faults a node's commands allow, with a hint naming what is missing", () => {
  assert.deepEqual(
    controlFacts("b1", "topology.nodes", { kill: ["k"], pause: ["p"], resume: ["r"], timeout: 1 }).faults,
    ["kill", "pause"],
  );
  const bare = controlFacts("b1", "topology.nodes", undefined);
  assert.deepEqual(bare.faults, []);
  assert.match(
    bare.hint ?? "",
    /give topology\.nodes\.b1 kill, pause, resume, stop, start as argument lists/,
  );
});
