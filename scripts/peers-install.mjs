// `npm run peers:install`: installs the servers of the peer targets (engine: redis, engine: nats)
// from Debian packages with apt-get, unless they are already there. Needs root; otherwise it
// prints the command to run and exits 1.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const peers = [
  { command: "redis-server", pkg: "redis-server" },
  { command: "nats-server", pkg: "nats-server" },
];
const dirs = [
  ...(process.env.PATH ?? "").split(delimiter).filter(Boolean),
  "/usr/local/sbin",
  "/usr/sbin",
  "/sbin",
];
const found = (command) =>
  dirs.some((d) => {
    try {
      accessSync(join(d, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const missing = peers.filter((p) => !found(p.command)).map((p) => p.pkg);
if (missing.length === 0) {
  console.log(`already installed: ${peers.map((p) => p.command).join(", ")}`);
  process.exit(0);
}
const install = ["apt-get", "install", "-y", "--no-install-recommends", ...missing];
if (process.getuid?.() !== 0) {
  console.error(`not root: run this as root (or with sudo):\n  apt-get update && ${install.join(" ")}`);
  process.exit(1);
}
for (const cmd of [["apt-get", "update"], install]) {
  console.log(`$ ${cmd.join(" ")}`);
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`${cmd.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
console.log(`installed: ${missing.join(", ")}`);
