// The agent engine's producer against a real node:http server playing the entry agent.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { decodePayload, encodePayload } from "../../../../harness/generator/payload.ts";
import type { PlannedMessage } from "../../../../harness/generator/schedule.ts";
import { classifyError, HttpProducer } from "../../../../harness/targets/flume/http-producer.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let url = "";
let handler: Handler = (_req, _body, res) => res.end();

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const batch = (producer: number, from: number, n: number, key?: (i: number) => string): PlannedMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    index: (from + i) * 2 + producer,
    producer,
    seq: from + i,
    intendedUs: 1000 * (from + i),
    key: key?.(i),
  }));

/** Sends one batch with a fresh producer whose server answers via `h`. */
async function sendWith(h: Handler, timeoutMs = 2000, target = url) {
  handler = h;
  const p = new HttpProducer(target, 2, timeoutMs, 64);
  try {
    return await p.send(0, batch(0, 0, 3));
  } finally {
    await p.close();
  }
}

const status =
  (code: number): Handler =>
  (_req, _body, res) =>
    res.writeHead(code).end("answer");

describe("HttpProducer.send", () => {
  test("200 is ok", async () => {
    assert.deepEqual(await sendWith(status(200)), { type: "ok" });
  });

  test("503 (channel full) is fail: nothing was committed", async () => {
    assert.deepEqual(await sendWith(status(503)), { type: "fail", error: "HTTP 503" });
  });

  test("400 and other 4xx are fail", async () => {
    assert.deepEqual(await sendWith(status(400)), { type: "fail", error: "HTTP 400" });
    assert.deepEqual(await sendWith(status(413)), { type: "fail", error: "HTTP 413" });
  });

  test("500 is info: the agent may have committed to some channels", async () => {
    assert.deepEqual(await sendWith(status(500)), { type: "info", error: "HTTP 500" });
  });

  test("a server that never answers is info after the timeout", async () => {
    const t0 = performance.now();
    const out = await sendWith(() => undefined, 200);
    const took = performance.now() - t0;
    assert.equal(out.type, "info");
    assert.match((out as { error: string }).error, /TIMEOUT/i);
    assert.ok(took >= 150 && took < 1500, `answered after ${took} ms`);
    server.closeAllConnections();
  });

  test("a closed port is fail (ECONNREFUSED): the request never left", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.deepEqual(await sendWith(status(200), 2000, `http://127.0.0.1:${port}`), {
      type: "fail",
      error: "ECONNREFUSED",
    });
  });

  test("a socket destroyed mid-request is info: the agent may have committed", async () => {
    const out = await sendWith((req) => req.socket.destroy());
    assert.equal(out.type, "info");
    assert.match((out as { error: string }).error, /ECONNRESET|SOCKET_CLOSED/);
  });

  test("the request is a POST of a JSON array of {headers, body} with decodable payloads", async () => {
    let seen: { method?: string; type?: string; body: string } = { body: "" };
    handler = (req, body, res) => {
      seen = { method: req.method, type: req.headers["content-type"], body };
      res.end();
    };
    const p = new HttpProducer(url, 1, 2000, 80);
    try {
      assert.deepEqual(await p.send(3, batch(3, 10, 4)), { type: "ok" });
    } finally {
      await p.close();
    }
    assert.equal(seen.method, "POST");
    assert.match(seen.type ?? "", /^application\/json/);
    const events = JSON.parse(seen.body) as { headers: Record<string, string>; body: string }[];
    assert.equal(events.length, 4);
    events.forEach((e, i) => {
      assert.deepEqual(e.headers, {});
      assert.equal(e.body.length, 80);
      assert.deepEqual(decodePayload(e.body), {
        producer: 3,
        seq: 10 + i,
        intendedUs: 1000 * (10 + i),
        intact: true,
      });
    });
  });

  test("keyed messages carry their key header", () => {
    const p = new HttpProducer(url, 1, 2000, 40);
    try {
      const events = JSON.parse(
        p
          .body(
            1,
            batch(1, 0, 3, (i) => `k${i * 7}`),
          )
          .toString("utf8"),
      ) as {
        headers: Record<string, string>;
        body: string;
      }[];
      assert.deepEqual(
        events.map((e) => e.headers),
        [{ key: "k0" }, { key: "k7" }, { key: "k14" }],
      );
      assert.deepEqual(
        events.map((e) => decodePayload(e.body)?.seq),
        [0, 1, 2],
      );
    } finally {
      void p.close();
    }
  });
  test("the written-out body is exactly JSON.stringify of the events, keys that need escaping included", () => {
    const p = new HttpProducer(url, 1, 2000, 60);
    try {
      const keys = ['k"1', "k\\2", "k\n3", "ключ", ""];
      const b = [...batch(2, 5, 5, (i) => keys[i] as string), ...batch(2, 10, 2)];
      const expected = JSON.stringify(
        b.map((m) => ({
          headers: m.key === undefined ? {} : { key: m.key },
          body: encodePayload(2, m.seq, m.intendedUs, 60),
        })),
      );
      assert.equal(p.body(2, b).toString("utf8"), expected);
      assert.equal(p.body(2, []).toString("utf8"), "[]");
    } finally {
      void p.close();
    }
  });

  test("unkeyed batches (the template path) are exactly JSON.stringify of the events too, at any size and length", () => {
    for (const size of [0, 12, 18, 20, 64, 100, 5000]) {
      const p = new HttpProducer(url, 1, 2000, size);
      try {
        // Heads grow from 1 digit to many within and across batches; 1, 20 and 150 events.
        for (const [from, n, scale] of [
          [0, 1, 1],
          [5, 20, 1000],
          [99_990, 150, 123_457],
          [9_999_999, 3, 10_000_000],
        ] as const) {
          const b = batch(1, from, n).map((m) => ({ ...m, intendedUs: m.seq * scale }));
          const expected = JSON.stringify(
            b.map((m) => ({ headers: {}, body: encodePayload(1, m.seq, m.intendedUs, size) })),
          );
          assert.equal(p.body(1, b).toString("latin1"), expected, `size ${size}, ${n} from ${from}`);
        }
      } finally {
        void p.close();
      }
    }
  });
});

describe("HttpProducer buffer reuse", () => {
  test("a producer's answered request buffer carries its next batch of that length, byte-exact when heads shrink", async () => {
    const bodies: string[] = [];
    handler = (_req, body, res) => {
      bodies.push(body);
      res.end();
    };
    const size = 100;
    const p = new HttpProducer(url, 1, 2000, size);
    const spares = () => (p as unknown as { spares: unknown[][] }).spares[1]?.length ?? 0;
    try {
      // Long heads, then short ones in the same buffer, long again, another length, and back.
      const sends = [
        batch(1, 99_990, 20).map((m) => ({ ...m, intendedUs: m.seq * 123_457 })),
        batch(1, 5, 20),
        batch(1, 100_000, 20).map((m) => ({ ...m, intendedUs: m.seq * 9_999_999 })),
        batch(1, 7, 7),
        batch(1, 3, 20),
      ];
      const kept: number[] = [];
      for (const b of sends) {
        assert.deepEqual(await p.send(1, b), { type: "ok" });
        kept.push(spares());
      }
      // Kept after every answer; taken again by the next batch of its length.
      assert.deepEqual(kept, [1, 1, 1, 2, 2]);
      assert.deepEqual(
        bodies,
        sends.map((b) =>
          JSON.stringify(b.map((m) => ({ headers: {}, body: encodePayload(1, m.seq, m.intendedUs, size) }))),
        ),
      );
    } finally {
      await p.close();
    }
  });
});

describe("classifyError", () => {
  test("errors raised before any byte left are fail; everything else is info", () => {
    assert.deepEqual(classifyError({ code: "ECONNREFUSED" }), { type: "fail", error: "ECONNREFUSED" });
    assert.deepEqual(classifyError({ code: "UND_ERR_CONNECT_TIMEOUT" }), {
      type: "fail",
      error: "UND_ERR_CONNECT_TIMEOUT",
    });
    assert.deepEqual(classifyError({ message: "fetch failed", cause: { code: "ECONNREFUSED" } }), {
      type: "fail",
      error: "ECONNREFUSED",
    });
    assert.deepEqual(classifyError({ code: "UND_ERR_HEADERS_TIMEOUT" }), {
      type: "info",
      error: "UND_ERR_HEADERS_TIMEOUT",
    });
    assert.deepEqual(classifyError({ code: "UND_ERR_SOCKET" }), { type: "info", error: "UND_ERR_SOCKET" });
    assert.deepEqual(classifyError(new Error("weird")), { type: "info", error: "weird" });
  });
});
