/**
 * The librdkafka clients from Debian (kcat, python3-confluent-kafka) for conformance tests. A
 * missing client skips the test with the command that installs it, except in CI (env CI set),
 * where it fails: a conformance suite that silently skips proves nothing.
 */

import { execFile, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { defer } from "./tmp.ts";

type T = { skip: (msg: string) => void; after: (fn: () => unknown) => void };

const INSTALL = "apt-get install -y kcat python3-confluent-kafka";

function missing(t: T, what: string): null {
  const msg = `${what} not found; install it with: ${INSTALL}`;
  if (process.env.CI) throw new Error(`${msg} (CI is set, so this test may not be skipped)`);
  t.skip(msg);
  return null;
}

/** The kcat binary, or null after skipping the test. */
export function kcatOrSkip(t: T): string | null {
  const r = spawnSync("kcat", ["-V"], { encoding: "utf8" });
  return r.status === 0 ? "kcat" : missing(t, "kcat");
}

/**
 * A python3 that imports confluent_kafka: the one on PATH, else Debian's /usr/bin/python3 (a
 * pyenv or venv python on PATH does not see Debian's dist-packages).
 */
export function confluentPythonOrSkip(t: T): string | null {
  for (const py of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import confluent_kafka"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return missing(t, "python3 with confluent_kafka");
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (argument list, no shell) with optional stdin; never rejects. */
export function run(cmd: string, args: string[], input?: string, timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input ?? "");
  });
}

/** librdkafka log lines of severity error or warning (`%3|`, `%4|`), and protocol parse failures. */
export function protocolErrors(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^%[0-4]\|/.test(l) || /parse failure|MessageSetSize/i.test(l));
}

const SCRIPT = fileURLToPath(new URL("./confluent_client.py", import.meta.url));

/** One JSON line from confluent_client.py. */
export type Event = Record<string, unknown> & { event: string };

/** Runs a one-shot confluent_client.py subcommand and returns its JSON lines. */
export async function confluent(py: string, args: string[], timeoutMs = 30_000): Promise<Event[]> {
  const r = await run(py, [SCRIPT, ...args], undefined, timeoutMs);
  if (r.code !== 0) throw new Error(`confluent_client ${args[0]} exited ${r.code}: ${r.stderr}`);
  const logged = protocolErrors(r.stderr);
  if (logged.length > 0) throw new Error(`librdkafka reported errors in ${args[0]}:\n${logged.join("\n")}`);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Event);
}

export interface Member {
  events: Event[];
  /** librdkafka's own log lines (stderr) so far. */
  stderr(): string;
  /** Resolves with the first event (already seen or future) that satisfies `pred`. */
  until(pred: (e: Event) => boolean, what: string, timeoutMs?: number): Promise<Event>;
  /** Commits, leaves the group, exits. */
  stop(): Promise<void>;
}

/** Starts a long-running consumer-group member (`confluent_client.py member`). */
export function startMember(
  t: T,
  py: string,
  bootstrap: string,
  group: string,
  topic: string,
  name: string,
): Member {
  const child = spawn(py, [SCRIPT, "member", bootstrap, group, topic, name], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  defer(t, async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  const events: Event[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (l) => {
    if (!l.startsWith("{")) return;
    events.push(JSON.parse(l) as Event);
    for (const w of waiters) w();
  });
  return {
    events,
    stderr: () => stderr,
    until(pred, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const e = events.find(pred);
          if (e) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name}: timed out waiting for ${what}; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      child.stdin!.end("stop\n");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
