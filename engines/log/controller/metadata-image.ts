/**
 * The cluster metadata the controller quorum agrees on, and the records that change it. Every
 * controller applies the same committed records in the same order (`applyRecord`, pure apart
 * from mutating the image), so every one of them can take over. Brokers receive the image whole
 * from the active controller and act on it (replication/replica-manager.ts).
 *
 * The image is also what a metadata snapshot holds (`encodeImage`/`decodeImage`): the Raft log up
 * to a snapshot's index can be dropped because applying it to an empty image gives exactly the
 * snapshot's image.
 *
 * A partition's state is Kafka's: replicas (the assignment), leader (−1 = offline), ISR,
 * leader epoch (bumped on every leader change; stamped into every batch) and partition epoch
 * (bumped on every change, so a stale AlterPartition is refused).
 */

export interface BrokerRecord {
  id: number;
  /** Address advertised to clients (Metadata, FindCoordinator). */
  host: string;
  port: number;
  /** Address other brokers use to replicate from this one (unless overridden by --peer). */
  replicationHost: string;
  replicationPort: number;
  /** Fenced brokers lead nothing and are not in any ISR (missed heartbeats or shut down). */
  fenced: boolean;
  /** broker.rack, when set (absent in records written before racks existed). */
  rack?: string | null;
}

export interface PartitionState {
  replicas: number[];
  leader: number;
  isr: number[];
  leaderEpoch: number;
  partitionEpoch: number;
  /**
   * A reassignment in progress (KIP-455, controller/reassignment.ts): `replicas` is then the
   * union of the target and the original set, these are its two differences. Absent otherwise.
   */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicRecord {
  configs: Record<string, string>;
  partitions: PartitionState[];
}

export interface MetadataImage {
  /** Raft index of the last applied record: brokers ask for anything newer. */
  version: number;
  brokers: Record<string, BrokerRecord>;
  topics: Record<string, TopicRecord>;
  /** Committed consumer offsets: group → "topic\u0000partition" → offset (coordinator state). */
  offsets: Record<string, Record<string, { offset: number; metadata: string | null }>>;
}

export type MetadataRecord =
  | { type: "noop" }
  /** Several records committed as one Raft entry (a fencing and the leader moves it causes). */
  | { type: "batch"; records: MetadataRecord[] }
  | { type: "registerBroker"; broker: BrokerRecord }
  | { type: "brokerFenced"; id: number; fenced: boolean }
  | { type: "createTopic"; name: string; configs: Record<string, string>; partitions: PartitionState[] }
  | { type: "deleteTopic"; name: string }
  /** A topic's config overrides, replaced whole (AlterConfigs / IncrementalAlterConfigs). */
  | { type: "topicConfigs"; name: string; configs: Record<string, string> }
  | { type: "partitionChange"; topic: string; partition: number; state: PartitionState }
  | {
      type: "offsetCommit";
      group: string;
      entries: Array<{ topic: string; partition: number; offset: number; metadata: string | null }>;
    };

export function emptyImage(): MetadataImage {
  return { version: 0, brokers: {}, topics: {}, offsets: {} };
}

export function applyRecord(image: MetadataImage, rec: MetadataRecord, index: number): void {
  switch (rec.type) {
    case "noop":
      break;
    case "batch":
      for (const r of rec.records) applyRecord(image, r, index);
      break;
    case "registerBroker":
      image.brokers[rec.broker.id] = { ...rec.broker };
      break;
    case "brokerFenced": {
      const b = image.brokers[rec.id];
      if (b) b.fenced = rec.fenced;
      break;
    }
    case "createTopic":
      image.topics[rec.name] = { configs: rec.configs, partitions: rec.partitions.map((p) => ({ ...p })) };
      break;
    case "topicConfigs": {
      const t = image.topics[rec.name];
      if (t) t.configs = { ...rec.configs };
      break;
    }
    case "deleteTopic":
      delete image.topics[rec.name];
      for (const g of Object.values(image.offsets)) {
        for (const k of Object.keys(g)) if (k.startsWith(`${rec.name}\u0000`)) delete g[k];
      }
      break;
    case "offsetCommit": {
      if (!image.offsets[rec.group]) image.offsets[rec.group] = {};
      const g = image.offsets[rec.group]!;
      for (const e of rec.entries)
        g[`${e.topic}\u0000${e.partition}`] = { offset: e.offset, metadata: e.metadata };
      break;
    }
    case "partitionChange": {
      const t = image.topics[rec.topic];
      if (t?.partitions[rec.partition]) t.partitions[rec.partition] = { ...rec.state };
      break;
    }
  }
  image.version = index;
}

/** A snapshot's text: the whole image, version (its Raft index) included. */
export function encodeImage(image: MetadataImage): string {
  return JSON.stringify(image);
}

/** Reads a snapshot's text back; throws on anything that is not a whole image. */
export function decodeImage(text: string): MetadataImage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`metadata snapshot is not JSON: ${(e as Error).message}`);
  }
  const img = v as Partial<MetadataImage> | null;
  const isMap = (m: unknown) => typeof m === "object" && m !== null && !Array.isArray(m);
  if (
    !isMap(img) ||
    typeof img!.version !== "number" ||
    !isMap(img!.brokers) ||
    !isMap(img!.topics) ||
    !isMap(img!.offsets)
  ) {
    throw new Error("metadata snapshot lacks version, brokers, topics or offsets");
  }
  return img as MetadataImage;
}

/** Replaces `target`'s content by `source`'s, keeping the object every holder already points at. */
export function replaceImage(target: MetadataImage, source: MetadataImage): void {
  target.version = source.version;
  target.brokers = source.brokers;
  target.topics = source.topics;
  target.offsets = source.offsets;
}

/** Ids of registered, unfenced brokers, sorted. */
export function liveBrokers(image: MetadataImage): number[] {
  return Object.values(image.brokers)
    .filter((b) => !b.fenced)
    .map((b) => b.id)
    .sort((a, b) => a - b);
}
