/**
 * host:port strings as Toxiproxy uses them (`127.0.0.1:8474`, `localhost:0`, `[::1]:9092`,
 * `:8080`), and the loopback rule that keeps this harness from sending traffic off the machine
 * unless explicitly allowed.
 */
import { isIP } from "node:net";

export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port`; undefined when there is no colon or the port is not 0–65535. */
export function parseHostPort(s: string): HostPort | undefined {
  const i = s.lastIndexOf(":");
  if (i < 0) return undefined;
  let host = s.slice(0, i);
  const portText = s.slice(i + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  else if (host.includes(":")) return undefined;
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port };
}

export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Loopback by address, or the name `localhost`; any other name could resolve anywhere. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}
