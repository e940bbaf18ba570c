// Per-event enrichment (docs/metrics.md § Per event): pure functions the collector applies to each
// accepted event and the pipeline applies to records that arrive without them.
export {};
