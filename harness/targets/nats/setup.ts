/**
 * The JetStream objects a run uses, created the way an application creates them at start-up: the
 * stream over the partition subjects, and one durable push consumer with explicit acks that
 * delivers to a queue group (every consumer process joins it, so each message goes to one of
 * them). Creating is idempotent; after a restart that kept nothing (memory storage) the harness
 * calls it again, as an application would on finding its stream gone.
 */

import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from "nats";
import {
  deliverGroup,
  deliverSubject,
  durableName,
  type NatsTopology,
  streamName,
  subjectNames,
} from "./topology.ts";

const nanos = (ms: number) => ms * 1_000_000;

export async function ensureJetStream(jsm: JetStreamManager, t: NatsTopology): Promise<void> {
  try {
    await jsm.streams.info(streamName);
  } catch {
    await jsm.streams.add({
      name: streamName,
      subjects: subjectNames(t),
      storage: t.storage === "file" ? StorageType.File : StorageType.Memory,
      retention: RetentionPolicy.Limits,
      num_replicas: 1,
    });
  }
  try {
    await jsm.consumers.info(streamName, durableName);
  } catch {
    await jsm.consumers.add(streamName, {
      durable_name: durableName,
      deliver_subject: deliverSubject,
      deliver_group: deliverGroup,
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(t.ackWait),
      max_ack_pending: t.maxAckPending,
    });
  }
}
