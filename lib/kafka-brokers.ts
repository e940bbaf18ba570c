// The broker list as every service reads it, apart from any Kafka client: the collector's
// producer client must not load kafkajs (about 13 MB of resident memory) just for this.

/** `host:port,host:port` (spaces and empty items ignored) -> the list the clients take. */
export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
