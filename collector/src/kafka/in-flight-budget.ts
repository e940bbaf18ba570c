// A bound on the record bytes the collector holds between taking events and Kafka's answer. Every
// ingest path shares it: an HTTP request over the bound is refused at once (503 + Retry-After), a
// stream waits for room and stops reading meanwhile (TCP / HTTP/2 flow control reach its client).
// Without it, what the collector holds grows with the clients' concurrency: each byte of a record
// in flight keeps a few more of parsed and enriched event alive with it (bench/HISTORY.md § 23).
// Pure: no Kafka here.

interface Waiter {
  bytes: number;
  admit: () => void;
}

export class InFlightBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  /** `maxBytes`: the bound, in bytes of record key and value (the Kafka adapter's measure). */
  constructor(readonly maxBytes: number) {}

  /** Bytes taken and not yet released. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Takes `bytes` when they fit, and never ahead of a waiter. A call alone is always admitted,
   * whatever its size, so one request larger than the bound is slow, never refused for ever.
   */
  tryTake(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
    this.used += bytes;
    return true;
  }

  /** Takes `bytes`, waiting in arrival order until they fit. */
  take(bytes: number): Promise<void> {
    if (this.tryTake(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, admit: resolve }));
  }

  /** Gives back what a call took once Kafka answered it (or failed it), admitting waiters that now fit. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const next = this.waiters.shift()!;
      this.used += next.bytes;
      next.admit();
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.maxBytes;
  }
}
