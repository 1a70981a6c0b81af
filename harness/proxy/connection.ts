/**
 * One proxied TCP connection: the client socket, the upstream socket and the two links between
 * them (upstream = client→server, downstream = server→client). Closing follows Toxiproxy: when one
 * link has delivered its EOF it closes its destination outright (not a half-close), which ends the
 * other link's input; the other link flushes what it holds and closes its own destination. While a
 * reset_peer toxic is on either chain, every close is an RST (SO_LINGER 0).
 */
import type { Socket } from "node:net";
import { Link } from "./link/link.ts";
import type { Direction, ToxicSpec } from "./toxics/spec.ts";

export interface Chains {
  upstream: readonly ToxicSpec[];
  downstream: readonly ToxicSpec[];
}

export class Connection {
  readonly up: Link;
  readonly down: Link;
  private resetOnClose = false;
  private closed = false;

  constructor(
    readonly client: Socket,
    readonly server: Socket,
    chains: Chains,
    random: () => number,
    private readonly onClosed: (c: Connection) => void,
  ) {
    if ([...chains.upstream, ...chains.downstream].some((t) => t.type === "reset_peer"))
      this.resetOnClose = true;
    this.up = new Link(client, server, chains.upstream, random, this.linkEnded);
    this.down = new Link(server, client, chains.downstream, random, this.linkEnded);
    this.wire(client, this.up, this.down);
    this.wire(server, this.down, this.up);
  }

  link(direction: Direction): Link {
    return direction === "upstream" ? this.up : this.down;
  }

  /** A reset_peer toxic joined one of the chains: from now on closes are resets. */
  markResetOnClose(): void {
    this.resetOnClose = true;
  }

  /** Tears the connection down at once (proxy disabled, removed or restarted). */
  close(): void {
    this.up.abort();
    this.down.abort();
    this.client.destroy();
    this.server.destroy();
    this.finish();
  }

  private wire(socket: Socket, readLink: Link, writeLink: Link): void {
    socket.on("data", (d: Buffer) => readLink.onData(d));
    socket.on("end", () => readLink.endInput());
    // Errors show up as 'close' right after; the handler only keeps them from being thrown.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      readLink.endInput();
      writeLink.abort();
      if (this.up.finished && this.down.finished) this.finish();
    });
  }

  private linkEnded = (link: Link): void => {
    const dst = link.dst;
    if (this.resetOnClose) {
      dst.resetAndDestroy();
    } else {
      // Go's Close(): queued bytes still go out, then FIN, and the socket is done.
      dst.end(() => dst.destroy());
    }
    // Closing dst ends the other link's input, as a read on a closed Go conn fails.
    (link === this.up ? this.down : this.up).endInput();
    if (this.up.finished && this.down.finished && this.client.destroyed && this.server.destroyed)
      this.finish();
  };

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
  }
}
