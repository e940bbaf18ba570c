// What every benchmark case receives: settings, the Kafka handle, a progress log and a record of
// the peak memory of every collector/pipeline process it ran.
import type { BenchKafka } from './kafka.ts';
import type { Settings } from './modes.ts';
import type { Service } from './processes.ts';

interface PeakMemory {
  /** Largest VmHWM seen per role ("collector", "pipeline"), bytes, with the case that caused it. */
  byRole: Map<string, { bytes: number; during: string; atReadyBytes: number | undefined }>;
}

export interface BenchContext {
  settings: Settings;
  kafka: BenchKafka;
  memory: PeakMemory;
  log(message: string): void;
}

export function recordPeak(ctx: BenchContext, role: string, during: string, service: Service): void {
  const bytes = service.peakRssBytes();
  const prev = ctx.memory.byRole.get(role);
  if (!prev || bytes > prev.bytes) ctx.memory.byRole.set(role, { bytes, during, atReadyBytes: service.rssAtReadyBytes });
}
