import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runInNewContext } from "node:vm";
import {
  chartFigure,
  escapeHtml,
  inlineScript,
  jsonForScript,
  page,
  vegaBundles,
} from "../../reports/html.ts";
import { HOSTILE } from "./helpers/fixtures.ts";

describe("escaping", () => {
  test("escapeHtml escapes the five characters that matter in text and attributes", () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&amp;</a>`),
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    assert.equal(escapeHtml(null), "");
    assert.equal(escapeHtml(12.5), "12.5");
  });

  test("jsonForScript cannot close its script element and parses back unchanged", () => {
    const v = { a: HOSTILE, b: "<!-- x -->", c: "a\u2028b\u2029c", d: "&amp; > <" };
    const s = jsonForScript(v);
    assert.doesNotMatch(s, /<|>|&|\u2028|\u2029/);
    assert.deepEqual(JSON.parse(s), v);
  });

  test("inlineScript neutralises </script and <!-- without changing what the string means", () => {
    const js = `var s = "</script><!-- </SCRIPT>";`;
    const out = inlineScript(js);
    assert.doesNotMatch(out, /<\/script|<!--/i);
    assert.equal(runInNewContext(`${out}; s`), "</script><!-- </SCRIPT>");
  });
});

describe("page", () => {
  test("inlines the three vega bundles, no external references, a CSP that forbids requests", () => {
    const bundles = vegaBundles();
    for (const g of ["vegaEmbed", "vegaLite"]) assert.match(bundles, new RegExp(g));
    assert.ok(bundles.length > 800_000, `${bundles.length} bytes of bundles`);
    const html = page({
      title: HOSTILE,
      body: "<p>x</p>",
      charts: [{ id: "c-1", title: HOSTILE, note: HOSTILE, spec: { mark: "point", title: HOSTILE } }],
    });
    assert.ok(!html.includes(HOSTILE), "hostile text only appears escaped");
    assert.equal(html.match(/<script/gi)?.length, 5, "three bundles, the specs, the embed script");
    assert.equal(html.match(/<\/script>/gi)?.length, 5, "no extra closing tag");
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import|url\(http/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /"title":"\\u003cscript\\u003ealert\(1\)\\u003c\/script\\u003e"/);
  });

  test("a page without charts needs no bundles", () => {
    const html = page({ title: "t", body: "", charts: [] });
    assert.ok(html.length < 10_000);
    assert.match(html, /dataset\.charts = "rendered"/);
  });

  test("chart ids come from the builder, never from input", () => {
    assert.throws(() => chartFigure({ id: '"><script>', title: "", note: "", spec: {} }), /must be/);
  });
});
