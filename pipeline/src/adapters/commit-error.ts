// kafkajs wraps an offset commit refused by a rebalance (UNKNOWN_MEMBER_ID when a restarted member
// commits before the group has settled, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS) in a
// KafkaJSNonRetriableError. Thrown from eachBatch like that, its runner stops consuming for good
// (the process lives on, never ready). The protocol error underneath carries the `type` the runner
// answers by re-joining the group; the uncommitted records then replay and the database drops
// what it already holds.
export function commitFailure(error: unknown): unknown {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error && typeof (e as { type?: unknown }).type === 'string' ? e : error;
}
