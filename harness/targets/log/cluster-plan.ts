/**
 * The shape of a replicated log cluster under the harness, as pure functions of the topology:
 * which nodes exist, which links (each its own fault proxy) connect them, and each node's
 * command-line arguments. Every connection a node opens goes through a proxy named for the link:
 *
 *   clients->broker-N         producers and consumers (the broker advertises this proxy)
 *   broker-I->broker-J        follower I fetching from leader J (`--peer J=proxy`)
 *   broker-I->controller-K    broker I (and, combined, voter I's Raft) reaching controller K
 *   controller-K->controller-M  Raft between dedicated controllers
 *
 * With `controllers: combined` controller K lives inside broker-K, so `broker-I->controller-K`
 * ends at node broker-K (a partition group naming broker-K cuts it too) but at its controller
 * port. A node reaches its own controller directly. So a partition can cut a leader off from its
 * followers, from the quorum, or from clients, separately.
 */

export interface ClusterShape {
  brokers: number;
  /** Dedicated controller processes (1 or 3), or the quorum inside brokers 1–3. */
  controllers: "combined" | 1 | 3;
}

export interface PlanLink {
  name: string;
  from: string;
  to: string;
  /** Which listener of `to` the proxy forwards to. */
  port: "kafka" | "controller";
}

export const brokerName = (i: number) => `broker-${i}`;
export const controllerName = (k: number) => `controller-${k}`;

/** Raft voters: node id, the node that hosts it, and its link-end name. */
export function voters(s: ClusterShape): Array<{ id: number; k: number; host: string }> {
  if (s.controllers === "combined") {
    return Array.from({ length: Math.min(3, s.brokers) }, (_, i) => ({
      id: i + 1,
      k: i + 1,
      host: brokerName(i + 1),
    }));
  }
  return Array.from({ length: s.controllers }, (_, i) => ({
    id: 101 + i,
    k: i + 1,
    host: controllerName(i + 1),
  }));
}

/** Every inter-node link of the cluster (client links are the target's own). */
export function clusterLinks(s: ClusterShape): PlanLink[] {
  const out: PlanLink[] = [];
  const vs = voters(s);
  for (let i = 1; i <= s.brokers; i++) {
    for (let j = 1; j <= s.brokers; j++) {
      if (i !== j)
        out.push({
          name: `${brokerName(i)}->${brokerName(j)}`,
          from: brokerName(i),
          to: brokerName(j),
          port: "kafka",
        });
    }
    for (const v of vs) {
      if (v.host === brokerName(i)) continue;
      out.push({
        name: `${brokerName(i)}->${controllerName(v.k)}`,
        from: brokerName(i),
        to: v.host,
        port: "controller",
      });
    }
  }
  if (s.controllers !== "combined") {
    for (const a of vs) {
      for (const b of vs) {
        if (a !== b) out.push({ name: `${a.host}->${b.host}`, from: a.host, to: b.host, port: "controller" });
      }
    }
  }
  return out;
}

export interface PlanPorts {
  /** Kafka port of each broker, by name. */
  kafka: ReadonlyMap<string, number>;
  /** Controller port of each voter, by voter id. */
  controller: ReadonlyMap<number, number>;
  /** Listen port of each link's proxy, by link name. */
  listen: ReadonlyMap<string, number>;
}

/** `serve log` arguments for one node (broker-N or controller-K) of the cluster. */
export function clusterNodeArgs(s: ClusterShape, node: string, ports: PlanPorts): string[] {
  const vs = voters(s);
  const own = vs.find((v) => v.host === node);
  const via = (linkName: string) => {
    const p = ports.listen.get(linkName);
    if (p === undefined) throw new Error(`no proxy for link ${linkName}`);
    return `127.0.0.1:${p}`;
  };
  const controllers = vs
    .map((v) => {
      if (v === own) return `${v.id}@127.0.0.1:${ports.controller.get(v.id)}`;
      const linkName =
        s.controllers === "combined" || node.startsWith("broker-")
          ? `${node}->${controllerName(v.k)}`
          : `${node}->${v.host}`;
      return `${v.id}@${via(linkName)}`;
    })
    .join(",");
  const args = ["--controllers", controllers];
  if (own) args.push("--controller-port", String(ports.controller.get(own.id)));
  if (node.startsWith("broker-")) {
    const i = Number(node.slice("broker-".length));
    args.push("--node-id", String(i), "--roles", own ? "broker,controller" : "broker");
    for (let j = 1; j <= s.brokers; j++)
      if (j !== i) args.push("--peer", `${j}=${via(`${node}->${brokerName(j)}`)}`);
  } else {
    args.push("--node-id", String(own!.id), "--roles", "controller");
  }
  return args;
}
