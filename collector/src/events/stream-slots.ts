// Open streams per secret key, shared by NDJSON and gRPC ingestion: one key cannot hold more than
// `max` streams of this process at once, so one producer's runaway retries cannot exhaust the
// collector for every other tenant. Pure; the transports call acquire() before reading a stream and
// release() once it is answered.

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `key` (a key id); false when the key already holds `max` streams. */
  acquire(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (n >= this.max) return false;
    this.open.set(key, n + 1);
    return true;
  }

  /** Gives back a slot taken by acquire(); once per successful acquire. */
  release(key: string): void {
    const n = (this.open.get(key) ?? 0) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }

  /** Streams `key` holds now. */
  held(key: string): number {
    return this.open.get(key) ?? 0;
  }

  get limit(): number {
    return this.max;
  }
}
