// The agent producers' keep-alive connections against raw TCP servers that answer in the ways a
// real HTTP server may: chunked, closing, early, or out of turn.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";
import { afterEach, describe, test } from "node:test";
import type { PlannedMessage } from "../../../../harness/generator/schedule.ts";
import { HttpProducer } from "../../../../harness/targets/flume/http-producer.ts";

const batch = (from: number, n: number): PlannedMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    index: from + i,
    producer: 0,
    seq: from + i,
    intendedUs: 1000 * (from + i),
    key: undefined,
  }));

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

/**
 * A raw server: `onRequest` gets each whole request (head and body, read by content-length) with
 * its socket and how many connections the server has seen.
 */
async function rawServer(
  onRequest: (req: { head: string; body: string }, sock: Socket, conn: number) => void,
) {
  let conns = 0;
  const sockets = new Set<Socket>();
  server = createServer((sock) => {
    const conn = ++conns;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1");
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len).toString("utf8");
        buf = buf.subarray(end + 4 + len);
        onRequest({ head, body }, sock, conn);
      }
    });
  });
  const s = server;
  s.on("close", () => {
    for (const x of sockets) x.destroy();
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe("HttpProducer connections", () => {
  test("sequential requests share one keep-alive connection; the head names host, type and length", async () => {
    const heads: string[] = [];
    const seen: number[] = [];
    const url = await rawServer((req, sock, conn) => {
      heads.push(req.head);
      seen.push(conn);
      assert.equal(Buffer.byteLength(req.body), Number(/content-length: (\d+)/.exec(req.head)?.[1]));
      assert.equal(JSON.parse(req.body).length, 2);
      sock.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n\r\nok");
    });
    const p = new HttpProducer(url, 4, 2000, 50);
    try {
      for (let i = 0; i < 5; i++) assert.deepEqual(await p.send(0, batch(2 * i, 2)), { type: "ok" });
    } finally {
      await p.close();
    }
    assert.deepEqual(seen, [1, 1, 1, 1, 1]);
    const port = new URL(url).port;
    assert.match(heads[0] as string, /^POST \/ HTTP\/1\.1\r\n/);
    assert.match(heads[0] as string, new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${port}\\r\\n`));
    assert.match(heads[0] as string, /\r\ncontent-type: application\/json; charset=UTF-8\r\n/);
  });

  test("a chunked answer is read to its end, and the connection then reused", async () => {
    const seen: number[] = [];
    const url = await rawServer((_req, sock, conn) => {
      seen.push(conn);
      sock.write("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfull!\r\n");
      setTimeout(() => sock.write("0\r\n\r\n"), 20);
    });
    const p = new HttpProducer(url, 1, 2000, 50);
    try {
      assert.deepEqual(await p.send(0, batch(0, 1)), { type: "fail", error: "HTTP 503" });
      assert.deepEqual(await p.send(0, batch(1, 1)), { type: "fail", error: "HTTP 503" });
    } finally {
      await p.close();
    }
    assert.deepEqual(seen, [1, 1]);
  });

  test("an answer with Connection: close is taken, and the next request gets a new connection", async () => {
    const seen: number[] = [];
    const url = await rawServer((_req, sock, conn) => {
      seen.push(conn);
      sock.end("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    const p = new HttpProducer(url, 1, 2000, 50);
    try {
      assert.deepEqual(await p.send(0, batch(0, 1)), { type: "ok" });
      assert.deepEqual(await p.send(0, batch(1, 1)), { type: "ok" });
    } finally {
      await p.close();
    }
    assert.deepEqual(seen, [1, 2]);
  });

  test("a body that runs to the end of the connection completes the answer", async () => {
    const url = await rawServer((_req, sock) => sock.end("HTTP/1.0 200 OK\r\n\r\nall of it"));
    const p = new HttpProducer(url, 1, 2000, 50);
    try {
      assert.deepEqual(await p.send(0, batch(0, 1)), { type: "ok" });
    } finally {
      await p.close();
    }
  });

  test("bytes sent while no request is outstanding close the connection: the next request uses a new one", async () => {
    const seen: number[] = [];
    const url = await rawServer((_req, sock, conn) => {
      seen.push(conn);
      sock.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      // An answer nobody asked for: a desynchronised server.
      if (conn === 1) setTimeout(() => sock.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 20);
    });
    const p = new HttpProducer(url, 1, 2000, 50);
    try {
      assert.deepEqual(await p.send(0, batch(0, 1)), { type: "ok" });
      await new Promise((r) => setTimeout(r, 80));
      assert.deepEqual(await p.send(0, batch(1, 1)), { type: "ok" });
    } finally {
      await p.close();
    }
    assert.deepEqual(seen, [1, 2]);
  });

  test("a garbled answer is info: the request was sent, its fate unknown", async () => {
    const url = await rawServer((_req, sock) => sock.write("NOT HTTP AT ALL\r\n\r\n"));
    const p = new HttpProducer(url, 1, 2000, 50);
    try {
      const out = await p.send(0, batch(0, 1));
      assert.equal(out.type, "info");
    } finally {
      await p.close();
    }
  });

  test("more concurrent sends than connections wait for a free one; all are answered", async () => {
    const open = new Set<number>();
    const url = await rawServer((_req, sock, conn) => {
      open.add(conn);
      setTimeout(() => sock.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 5);
    });
    const p = new HttpProducer(url, 2, 2000, 50);
    try {
      const outs = await Promise.all(Array.from({ length: 7 }, (_, i) => p.send(0, batch(i, 1))));
      assert.deepEqual(
        outs.map((o) => o.type),
        Array(7).fill("ok"),
      );
    } finally {
      await p.close();
    }
    assert.equal(open.size, 2);
  });

  test("an idle connection does not keep the process alive; one with a request outstanding does", async () => {
    let answered = 0;
    const url = await rawServer((_req, sock) => {
      // The answer comes late: the child must stay up for it, then exit on its own.
      setTimeout(() => {
        answered++;
        sock.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=30\r\n\r\n");
      }, 300);
    });
    const producer = resolve(import.meta.dirname, "../../../../harness/targets/flume/http-producer.ts");
    const code = `import { HttpProducer } from ${JSON.stringify(producer)};
      const p = new HttpProducer(${JSON.stringify(url)}, 1, 5000, 50);
      const out = await p.send(0, [{ index: 0, producer: 0, seq: 0, intendedUs: 0, key: undefined }]);
      console.log(JSON.stringify(out));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const t0 = performance.now();
    const code_ = await new Promise<number | null>((r) => child.once("exit", r));
    assert.equal(code_, 0);
    assert.equal(stdout.trim(), '{"type":"ok"}');
    assert.equal(answered, 1);
    assert.ok(performance.now() - t0 < 10_000, "exited without waiting for the keep-alive timeout");
  });
});
