/**
 * Test cleanup in reverse order of setup (clients before brokers before directories), each step
 * bounded so a stuck client cannot hold the suite; and temporary directories.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type After = { after: (fn: () => unknown) => void };

const stacks = new WeakMap<After, Array<() => unknown>>();

/** Registers `fn` to run after the test; later registrations run first. */
export function defer(t: After, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const s: Array<() => unknown> = [];
    stack = s;
    stacks.set(t, s);
    t.after(async () => {
      while (s.length > 0) {
        const f = s.pop()!;
        await Promise.race([
          Promise.resolve()
            .then(f)
            .catch(() => {}),
          new Promise((r) => setTimeout(r, 5000).unref()),
        ]);
      }
    });
  }
  stack.push(fn);
}

export function tempDir(t: After, prefix = "fb-log-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
