// What one run of the client comes to, for either transport.
import type { SendSummary } from './summary.ts';

export type SendOutcome =
  /** The whole file was read and answered: every line stored or refused (the summary says which). */
  | { status: 'complete'; summary: SendSummary }
  /**
   * The stream ended early (Kafka unavailable, a limit, the connection lost): lines up to the
   * summary's last_acked_line are answered; `resumeFrom` is the first line to send again.
   * Without a summary the collector's answer was lost and nothing after `resumeFrom - 1` is known.
   */
  | {
      status: 'stopped';
      reason: string;
      summary?: SendSummary;
      resumeFrom: number;
      retryAfterSeconds?: number;
      /** A line the collector will never take as it is (longer than STREAM_MAX_LINE_BYTES): fix it or skip it. */
      unsendableLine?: number;
    }
  /** Refused before any line was read (key, project, per-key stream limit, media type). */
  | { status: 'refused'; reason: string };

/** The outcome of a stream that ended early, resuming after its last answered line. */
export function stopped(reason: string, fromLine: number, summary: SendSummary | undefined, retryAfterSeconds?: number): SendOutcome {
  return {
    status: 'stopped',
    reason,
    ...(summary === undefined ? {} : { summary }),
    resumeFrom: summary === undefined ? fromLine : Math.max(fromLine, summary.last_acked_line + 1),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
}
