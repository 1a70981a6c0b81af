/**
 * One function per Toxiproxy endpoint (api.go), each taking the decoded path parameters and raw
 * body and returning a Reply. Status codes and bodies follow Toxiproxy exactly, including the
 * 201/200 split between creating proxies and creating toxics.
 */
import type { ProxyCollection } from "../proxy-collection.ts";
import { decodeProxyInput } from "../proxy-collection.ts";
import { toxicJson } from "../toxics/spec.ts";
import { toApiError } from "./api-error.ts";
import { parseBody } from "./decode.ts";
import { jsonReply, noContent, type Reply } from "./reply.ts";

/** The version we report: the Toxiproxy release whose API this server follows, tagged as ours. */
export const serverVersion = "2.12.0-faultbench";

export interface Request {
  params: Record<string, string>;
  body: string;
}

export type Handler = (proxies: ProxyCollection, req: Request) => Promise<Reply>;

function param(req: Request, name: string): string {
  return req.params[name] ?? "";
}

export const proxyIndex: Handler = async (proxies) => {
  const out: Record<string, unknown> = {};
  for (const p of proxies.all()) out[p.name] = p.toJSON();
  return jsonReply(200, out);
};

export const proxyCreate: Handler = async (proxies, req) => {
  const input = decodeProxyInput(parseBody(req.body));
  return jsonReply(201, (await proxies.create(input)).toJSON());
};

export const populate: Handler = async (proxies, req) => {
  let body: unknown;
  try {
    body = parseBody(req.body);
  } catch (e) {
    const error = toApiError(e);
    return jsonReply(error.status, { ...error.toJSON(), proxies: null });
  }
  const result = await proxies.populate(body);
  const list = result.proxies === null ? null : result.proxies.map((p) => p.toJSON());
  if (result.error !== undefined)
    return jsonReply(result.error.status, { ...result.error.toJSON(), proxies: list });
  return jsonReply(201, { proxies: list });
};

export const proxyShow: Handler = async (proxies, req) =>
  jsonReply(200, proxies.get(param(req, "proxy")).toJSON());

export const proxyUpdate: Handler = async (proxies, req) => {
  const name = param(req, "proxy");
  proxies.get(name);
  const proxy = await proxies.update(name, parseBody(req.body));
  return jsonReply(200, proxy.toJSON());
};

export const proxyDelete: Handler = async (proxies, req) => {
  proxies.remove(param(req, "proxy"));
  return noContent();
};

export const toxicIndex: Handler = async (proxies, req) =>
  jsonReply(200, proxies.get(param(req, "proxy")).toxics.list().map(toxicJson));

export const toxicCreate: Handler = async (proxies, req) => {
  const proxy = proxies.get(param(req, "proxy"));
  return jsonReply(200, toxicJson(await proxy.toxics.addJson(parseBody(req.body))));
};

export const toxicShow: Handler = async (proxies, req) => {
  const proxy = proxies.get(param(req, "proxy"));
  return jsonReply(200, toxicJson(proxy.toxics.get(param(req, "toxic"))));
};

export const toxicUpdate: Handler = async (proxies, req) => {
  const proxy = proxies.get(param(req, "proxy"));
  const name = param(req, "toxic");
  proxy.toxics.get(name);
  return jsonReply(200, toxicJson(await proxy.toxics.updateJson(name, parseBody(req.body))));
};

export const toxicDelete: Handler = async (proxies, req) => {
  await proxies.get(param(req, "proxy")).toxics.remove(param(req, "toxic"));
  return noContent();
};

export const reset: Handler = async (proxies) => {
  await proxies.reset();
  return noContent();
};

export const version: Handler = async () => ({
  status: 200,
  // Toxiproxy writes this by hand: note the space after the colon and the newline.
  body: `{"version": "${serverVersion}"}\n`,
  contentType: "application/json;charset=utf-8",
});
