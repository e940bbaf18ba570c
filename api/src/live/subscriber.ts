// One client of a live stream. Messages go out through a transport (server-sent events or
// WebSocket) as fast as the client reads; while it does not, they wait in a bounded queue, and
// what does not fit is counted instead of held: the client then gets `dropped` with that count at
// the place of the gap. `stored` notices are watermarks (every event of a partition up to an
// offset), so they are merged per partition and written once the events before them are out.
// Pure apart from the transport it is given.
import { droppedMessage, frame, storedMessage, type Framing, type LiveMessage } from './live-messages.ts';
import type { LiveEvent, LiveFilter } from './live-event.ts';

export interface LiveTransport {
  /** Writes one frame; false when the client is not keeping up: write no more until `resume()`. */
  write(text: string): boolean;
  /** Ends the connection (server shutdown). */
  close(): void;
}

export class Subscriber {
  readonly #queue: string[] = [];
  #dropped = 0;
  #writable = true;
  #closed = false;
  /** Something other than a heartbeat was queued since the last heartbeat tick. */
  #active = false;
  /** Per partition: the lowest offset sent and not yet covered by a `stored` notice written or pending. */
  readonly #unannounced = new Map<number, number>();
  readonly #lastSent = new Map<number, number>();
  readonly #pendingStored = new Map<number, number>();

  constructor(
    readonly projectId: string,
    /** Events matching it are sent; undefined for a metrics stream. */
    readonly filter: LiveFilter | undefined,
    readonly transport: LiveTransport,
    readonly framing: Framing,
    readonly maxQueue: number,
  ) {}

  /** Messages not yet written, and messages dropped since the last `dropped` notice. */
  get backlog(): { queued: number; dropped: number } {
    return { queued: this.#queue.length, dropped: this.#dropped };
  }

  /** Queues a message (or counts it as dropped when the queue is full). Call flush() after. */
  offer(message: LiveMessage): boolean {
    if (this.#closed) return false;
    if (this.#queue.length >= this.maxQueue) {
      this.#dropped++;
      return false;
    }
    if (this.#dropped > 0) {
      this.#queue.push(frame(droppedMessage(this.#dropped), this.framing));
      this.#dropped = 0;
    }
    this.#queue.push(frame(message, this.framing));
    this.#active = true;
    return true;
  }

  offerEvent(event: LiveEvent): void {
    if (!this.offer({ type: 'event', id: event.id, data: event.json })) return;
    if (!this.#unannounced.has(event.partition)) this.#unannounced.set(event.partition, event.offset);
    this.#lastSent.set(event.partition, event.offset);
  }

  /** Every event of `partition` up to `offset` is stored: announce it if this client was sent one of them. */
  stored(partition: number, offset: number): void {
    const first = this.#unannounced.get(partition);
    if (first === undefined || first > offset) return;
    this.#pendingStored.set(partition, offset);
    // Offsets sent after `offset` are not kept one by one: offset + 1 is a safe lower bound (a later
    // notice may then be announced without a new event below it, which is still true).
    if ((this.#lastSent.get(partition) ?? -1) > offset) this.#unannounced.set(partition, offset + 1);
    else this.#unannounced.delete(partition);
  }

  /** Writes what is queued while the client keeps up; then the dropped count and stored notices. */
  flush(): void {
    while (this.#writable && !this.#closed && this.#queue.length > 0) {
      if (!this.transport.write(this.#queue.shift()!)) this.#writable = false;
    }
    if (!this.#writable || this.#closed || this.#queue.length > 0) return;
    if (this.#dropped > 0) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      if (!this.transport.write(frame(droppedMessage(dropped), this.framing))) this.#writable = false;
    }
    for (const [partition, offset] of this.#pendingStored) {
      if (!this.#writable) return;
      this.#pendingStored.delete(partition);
      if (!this.transport.write(frame(storedMessage(partition, offset), this.framing))) this.#writable = false;
    }
  }

  /** The client read what was written: continue. */
  resume(): void {
    this.#writable = true;
    this.flush();
  }

  /**
   * Called every heartbeat interval: a heartbeat only when the stream was idle for the whole
   * interval (nothing queued since the last tick) and the client keeps up; a busy stream, such as
   * a metrics stream, proves itself alive.
   */
  heartbeat(message: LiveMessage): void {
    const idle = !this.#active;
    this.#active = false;
    if (idle && this.#writable && this.#queue.length === 0) {
      this.offer(message);
      this.flush();
      this.#active = false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.transport.close();
  }

  get closed(): boolean {
    return this.#closed;
  }
}
