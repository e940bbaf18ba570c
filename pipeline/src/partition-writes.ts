// Write-behind per partition: a chunk's database write (and the offset commit after it) runs while
// kafkajs fetches and the steps parse the next chunk. At most one write per partition is in flight,
// and the next starts only once it has committed: offsets are committed after their database
// commit, in offset order. A write that failed is reported to the partition's next chunk, which
// throws it, so kafkajs refetches from the last committed offset.

export class PartitionWrites {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failed = new Map<string, Error>();

  /** Waits for the partition's write in flight; throws what it failed with, once. */
  async settle(partition: string): Promise<void> {
    await this.inFlight.get(partition);
    const error = this.failed.get(partition);
    if (error === undefined) return;
    this.failed.delete(partition);
    throw error;
  }

  /** Starts `write` for the partition; the caller has settled the previous one first. */
  start(partition: string, write: () => Promise<void>): void {
    if (this.inFlight.has(partition)) throw new Error(`a write of ${partition} is already in flight`);
    const done = write()
      .catch((error: unknown) => {
        this.failed.set(partition, error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => this.inFlight.delete(partition));
    this.inFlight.set(partition, done);
  }

  /** Every write in flight finished (stored and committed, or failed). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
