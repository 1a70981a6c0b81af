/**
 * When a new active controller starts counting a broker's session (`broker.session.timeout.ms`).
 *
 * It cannot know when brokers last heartbeated its predecessor, so it gives each a full session
 * from its own election: time to find the new controller. One exception: in combined mode the
 * predecessor's own broker (the same node id: ids are unique across brokers and controllers, as
 * in KRaft) lives in the process whose Raft appends this voter received last, and both reach this
 * node over the same link, so the quorum's last sign of that broker's life is the last append;
 * its session counts from there, as for any broker that goes silent. Brokers cut off only from
 * the old controller still get the full session, since only the predecessor's id is treated so.
 *
 * The head start is capped. An election ends at most three election timeouts after the last
 * append it follows (a timer of up to two, a vote round of up to one) unless this voter itself
 * stalled (a paused process) and its sighting is stale; a stale sighting must not fence a live
 * broker at once, so beyond that (and beyond half a session) the session starts now.
 */

export interface SessionStartInput {
  /** The broker whose session starts. */
  broker: number;
  /** This controller's node id. */
  self: number;
  /** The node whose Raft appends this voter received last, and when (ms). */
  lastAppendFrom: { id: number; at: number } | undefined;
  now: number;
  electionTimeoutMs: number;
  sessionTimeoutMs: number;
}

/** The time (ms) from which `broker`'s session counts at a new active controller. */
export function sessionStart(i: SessionStartInput): number {
  const prev = i.lastAppendFrom;
  if (!prev || prev.id !== i.broker || prev.id === i.self) return i.now;
  const headStart = Math.min(3 * i.electionTimeoutMs, Math.floor(i.sessionTimeoutMs / 2));
  const ago = i.now - prev.at;
  return ago >= 0 && ago <= headStart ? prev.at : i.now;
}
