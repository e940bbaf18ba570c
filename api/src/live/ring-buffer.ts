// A fixed-size ring of the newest items, each with an id: what `Last-Event-ID` resumes from.
// Adding the (capacity + 1)-th item forgets the oldest. Pure.

export class RingBuffer<T extends { id: string }> {
  readonly #items: (T | undefined)[];
  /** Sequence number of each held id (the n-th item ever added is n). */
  readonly #seqOf = new Map<string, number>();
  #next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    const slot = this.#next % this.capacity;
    const evicted = this.#items[slot];
    if (evicted !== undefined && this.#seqOf.get(evicted.id) === this.#next - this.capacity) this.#seqOf.delete(evicted.id);
    this.#items[slot] = item;
    this.#seqOf.set(item.id, this.#next);
    this.#next++;
  }

  get size(): number {
    return Math.min(this.#next, this.capacity);
  }

  /** The items after `id`, oldest first; undefined when `id` is not held (unknown or already forgotten). */
  after(id: string): T[] | undefined {
    const seq = this.#seqOf.get(id);
    if (seq === undefined) return undefined;
    const out: T[] = [];
    for (let s = seq + 1; s < this.#next; s++) out.push(this.#items[s % this.capacity]!);
    return out;
  }

  /** Every held item, oldest first. */
  all(): T[] {
    const out: T[] = [];
    for (let s = Math.max(0, this.#next - this.capacity); s < this.#next; s++) out.push(this.#items[s % this.capacity]!);
    return out;
  }
}
