// Groups items from many concurrent callers into few flush calls, the linger kafkajs lacks:
// a flush starts when maxRecords or maxBytes are waiting, or lingerMs after the first item.
// One flush runs at a time; items arriving meanwhile form the next one, so a slow broker
// yields bigger batches instead of more requests.

export interface BatcherOptions {
  maxRecords: number;
  maxBytes: number;
  lingerMs: number;
}

// One per add() call, shared by its items: a 100-event request costs one promise, not 100.
interface Ticket {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Entry<T> {
  item: T;
  bytes: number;
  ticket: Ticket;
}

function succeed(ticket: Ticket): void {
  ticket.remaining -= 1;
  if (ticket.remaining === 0 && !ticket.settled) {
    ticket.settled = true;
    ticket.resolve();
  }
}

function fail(ticket: Ticket, error: Error): void {
  if (ticket.settled) return;
  ticket.settled = true;
  ticket.reject(error);
}

export class MicroBatcher<T> {
  private pending: Entry<T>[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly flushFn: (items: T[]) => Promise<void>,
    private readonly options: BatcherOptions,
    private readonly sizeOf: (item: T) => number,
  ) {}

  /** Resolves when every item was flushed, rejects with the flush error otherwise. */
  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: items.length, settled: false, resolve, reject };
      for (const item of items) {
        const bytes = this.sizeOf(item);
        this.pending.push({ item, bytes, ticket });
        this.pendingBytes += bytes;
      }
    });
    this.schedule();
    return done;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Fails every queued item that no flush has taken yet (e.g. the broker went away). */
  failPending(error: Error): void {
    const dropped = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.clearTimer();
    for (const e of dropped) fail(e.ticket, error);
    this.notifyIdle();
  }

  /** Flushes everything queued now and waits until nothing is pending or in flight. */
  async drain(): Promise<void> {
    this.clearTimer();
    if (this.pending.length > 0 && this.inFlight === undefined) this.flushNow();
    if (this.pending.length === 0 && this.inFlight === undefined) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.inFlight !== undefined || this.pending.length === 0) return;
    if (this.pending.length >= this.options.maxRecords || this.pendingBytes >= this.options.maxBytes || this.options.lingerMs === 0) {
      this.flushNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.inFlight === undefined) this.flushNow();
      }, this.options.lingerMs);
    }
  }

  private take(): Entry<T>[] {
    let count = 0;
    let bytes = 0;
    // At least one item per flush, even one larger than maxBytes.
    while (count < this.pending.length && count < this.options.maxRecords) {
      const next = this.pending[count]!.bytes;
      if (count > 0 && bytes + next > this.options.maxBytes) break;
      bytes += next;
      count += 1;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, count);
  }

  private flushNow(): void {
    this.clearTimer();
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight = this.flushFn(batch.map((e) => e.item)).then(
      () => batch.forEach((e) => succeed(e.ticket)),
      (error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        batch.forEach((e) => fail(e.ticket, err));
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      // Whatever queued during the flush has lingered long enough: send it straight away.
      if (this.pending.length > 0) this.flushNow();
      else this.notifyIdle();
    });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private notifyIdle(): void {
    if (this.pending.length > 0 || this.inFlight !== undefined) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
