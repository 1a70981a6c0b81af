/**
 * Servers we did not write (redis-server, nats-server) come from Debian packages. This finds their
 * executable on PATH, or in the sbin folders Debian installs some of them to (nats-server lands in
 * /usr/sbin, which is not on an ordinary user's PATH), and turns a missing one into a clear error
 * that names the package and the command that installs it, never a spawn stack trace. It also
 * ties each server's life to the harness: our own engines stop when the harness's pipe closes, but
 * a foreign server knows nothing of us and would outlive a harness killed with SIGKILL.
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { FaultbenchError } from "../../errors.ts";

export interface ForeignBinary {
  /** The executable's file name, e.g. `redis-server`. */
  command: string;
  /** The Debian package that ships it. */
  debianPackage: string;
}

/** The install command printed when a binary is missing. */
export const peersInstallHint =
  "npm run peers:install (as root; or: apt-get install -y redis-server nats-server)";

const extraDirs = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * The absolute path of `command`, or undefined when it is not installed. FAULTBENCH_BIN_PATH,
 * when set, replaces the search path (a server built from source, or none at all).
 */
export function findBinary(command: string, pathEnv?: string): string | undefined {
  const override = process.env.FAULTBENCH_BIN_PATH;
  const dirs =
    pathEnv !== undefined
      ? pathEnv.split(delimiter).filter(Boolean)
      : override !== undefined
        ? override.split(delimiter).filter(Boolean)
        : [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const p = join(dir, command);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The path of the binary, or a FaultbenchError naming the package and how to install it. */
export function requireBinary(b: ForeignBinary, pathEnv?: string): string {
  const found = findBinary(b.command, pathEnv);
  if (found) return found;
  throw new FaultbenchError(
    "FB_ENGINE_START_FAILED",
    `${b.command} is not installed (Debian package ${b.debianPackage}); install it with: ${peersInstallHint}`,
    { context: { missingBinary: b.command, debianPackage: b.debianPackage, install: peersInstallHint } },
  );
}

/**
 * The command line that runs `binary` so that the kernel kills it when the harness dies, however
 * it dies (SIGKILL included): util-linux's `setpriv --pdeathsig KILL` sets the parent-death signal
 * and then execs the server, so the pid the supervisor signals for faults is the server's own.
 * Where setpriv is missing (not Linux, or a stripped image) the server runs directly.
 */
export function boundToHarness(
  binary: string,
  args: readonly string[],
  pathEnv?: string,
): { command: string; args: string[] } {
  const setpriv = process.platform === "linux" ? findBinary("setpriv", pathEnv) : undefined;
  if (setpriv === undefined) return { command: binary, args: [...args] };
  return { command: setpriv, args: ["--pdeathsig", "KILL", "--", binary, ...args] };
}
