// The local Kafka broker's process, for its CPU: on this machine it shares the cores with the
// collector and the load generator, so its CPU per request bounds what the collector can reach.
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the local broker (a java process running `kafka.Kafka`), or undefined when none is found. */
export function brokerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('kafka.Kafka')) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}
