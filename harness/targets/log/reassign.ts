/**
 * The `reassign` fault on a log cluster: what a streaming engineer does to scale out — move the
 * replicas one broker holds onto another with the Kafka admin API (AlterPartitionReassignments,
 * KIP-455, through the clients' links like any admin tool), then wait until
 * ListPartitionReassignments no longer lists the moved partitions and Metadata shows the target
 * replicas. The broker copies the data itself (the new replica fetches, catches up and joins the
 * ISR); this only asks and watches.
 */

import type { Kafka } from "kafkajs";
import type { ReassignHandle, ReassignMove } from "../target.ts";

const brokerId = (name: string) => Number(name.slice("broker-".length));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each partition's new replica list: `from` replaced by `to` in place; throws when the move makes no sense. */
export function planMove(
  replicasByPartition: ReadonlyMap<number, readonly number[]>,
  move: ReassignMove,
): Array<{ partition: number; replicas: number[] }> {
  const from = brokerId(move.from);
  const to = brokerId(move.to);
  const chosen =
    move.partitions ??
    [...replicasByPartition]
      .filter(([, r]) => r.includes(from))
      .map(([p]) => p)
      .sort((a, b) => a - b);
  if (chosen.length === 0) throw new Error(`no partition has a replica on ${move.from}`);
  return chosen.map((partition) => {
    const replicas = replicasByPartition.get(partition);
    if (!replicas) throw new Error(`partition ${partition} does not exist`);
    if (!replicas.includes(from))
      throw new Error(`partition ${partition} has no replica on ${move.from} (replicas ${replicas})`);
    if (replicas.includes(to)) throw new Error(`partition ${partition} already has a replica on ${move.to}`);
    return { partition, replicas: replicas.map((b) => (b === from ? to : b)) };
  });
}

export async function startReassign(
  kafka: Kafka,
  topic: string,
  move: ReassignMove,
): Promise<ReassignHandle> {
  const admin = kafka.admin({ retry: { retries: 5 } });
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const current = new Map(md.topics[0]!.partitions.map((p) => [p.partitionId, p.replicas]));
    const plan = planMove(current, move);
    await admin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: plan }],
      timeout: 10_000,
    });
    const partitions = plan.map((p) => p.partition);
    return {
      partitions,
      async completed(withinMs, stop) {
        const end = Date.now() + withinMs;
        let last = "";
        try {
          for (;;) {
            try {
              const left = await remaining(admin, topic, plan);
              if (left.length === 0) return;
              last = `partitions ${left.join(", ")} were still moving`;
            } catch (e) {
              // A controller or broker change under way: ask again.
              last = `the last answer was an error: ${(e as Error).message}`;
            }
            if (stop()) throw new Error("the run stopped before the move completed");
            if (Date.now() > end) throw new Error(`the move did not complete within ${withinMs} ms: ${last}`);
            await sleep(100);
          }
        } finally {
          await admin.disconnect();
        }
      },
    };
  } catch (e) {
    await admin.disconnect();
    throw e;
  }
}

/** The moved partitions not yet done: still listed as reassigning, or without their target replicas. */
async function remaining(
  admin: ReturnType<Kafka["admin"]>,
  topic: string,
  plan: ReadonlyArray<{ partition: number; replicas: number[] }>,
): Promise<number[]> {
  const partitions = plan.map((p) => p.partition);
  const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions }] });
  // kafkajs 2.2.4's types say `partitionIndex`; its decoder sets `partition`.
  const moving = new Set(
    listed.topics.flatMap((t) =>
      t.partitions.map((p) => (p as { partition?: number }).partition ?? p.partitionIndex),
    ),
  );
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const now = new Map(md.topics[0]!.partitions.map((p) => [p.partitionId, p.replicas]));
  return plan
    .filter((p) => moving.has(p.partition) || now.get(p.partition)?.join() !== p.replicas.join())
    .map((p) => p.partition);
}
