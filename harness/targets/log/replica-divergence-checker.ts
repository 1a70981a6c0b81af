/**
 * The replica divergence check of a replicated log run: for each partition recorded at the end
 * (replicas-op.ts), every replica must hold the same batches below the final high watermark (the
 * highest any replica reports); compacted topics by each key's last value (see
 * checkers/replica-divergence.ts). Runs without replication record nothing and get no check.
 */

import type { Checker } from "../../checkers/checker.ts";
import { checkReplicaDivergence } from "../../checkers/replica-divergence.ts";
import type { Op, ReplicasOp } from "../../history/op.ts";
import type { Check } from "../../results/types.ts";

export const replicaDivergenceChecker: Checker = {
  name: "replica-divergence",
  check(history: readonly Op[]): Check[] {
    const recs = history.filter((o): o is ReplicasOp => o.f === "replicas");
    if (recs.length === 0) return [];
    const problems: string[] = [];
    let replicas = 0;
    for (const r of recs) {
      const hw = Math.max(-1, ...r.replicas.map((x) => x.highWatermark));
      const res = checkReplicaDivergence(`${r.topic}-${r.partition}`, hw, r.replicas, {
        compacted: r.compacted === true,
      });
      replicas += r.replicas.length;
      if (!res.ok) problems.push(...res.problems.map((p) => `${res.partition}: ${p}`));
      if (r.replicas.length < 2)
        problems.push(`${r.topic}-${r.partition}: only ${r.replicas.length} replica(s) answered`);
    }
    return [
      {
        name: "replica-divergence",
        valid: problems.length === 0,
        detail:
          problems.length === 0
            ? `${recs.length} partitions, ${replicas} replicas: identical below the final high watermark`
            : problems.slice(0, 5).join("; ") +
              (problems.length > 5 ? ` (+${problems.length - 5} more)` : ""),
      },
    ];
  },
};
