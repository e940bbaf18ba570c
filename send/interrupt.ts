// Ctrl-C while sending: the first SIGINT asks the transport to stop at the end of the line being
// sent and to wait for the collector's answer, so the client can print the summary and the line to
// resume from; a second one exits at once. `npm run` delivers one Ctrl-C to npm, tsx and node
// alike (tsx also relays it), so signals within GRACE_MS of the first count as that one.
const GRACE_MS = 1000;

export interface Interrupt {
  /** True once the user asked to stop. */
  readonly requested: boolean;
}

/** An interrupt nobody raises (a send without a terminal, tests). */
export const NEVER: Interrupt = { requested: false };

/** Listens for SIGINT: `onFirst` is told once; a SIGINT after the grace period exits with 130. */
export function interruptOnSigint(onFirst: () => void): Interrupt {
  const state = { requested: false };
  let first = 0;
  process.on('SIGINT', () => {
    if (!state.requested) {
      state.requested = true;
      first = Date.now();
      onFirst();
    } else if (Date.now() - first > GRACE_MS) {
      process.exit(130);
    }
  });
  return state;
}

/**
 * The chunks of `source` until `interrupt` is requested; then on through the end of the current
 * line (a "\n"), never a part of one. `cut()` says whether the source was left before its end.
 */
export function untilInterrupted(source: AsyncIterable<Buffer>, interrupt: Interrupt): AsyncIterable<Buffer> & { cut(): boolean } {
  let cut = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    let endsLine = true;
    for await (const chunk of source) {
      if (interrupt.requested) {
        if (endsLine) {
          cut = true;
          return;
        }
        const newline = chunk.indexOf(0x0a);
        if (newline !== -1) {
          yield chunk.subarray(0, newline + 1);
          cut = true;
          return;
        }
      }
      if (chunk.length > 0) endsLine = chunk[chunk.length - 1] === 0x0a;
      yield chunk;
    }
  }
  const iterable = chunks();
  return { [Symbol.asyncIterator]: () => iterable, cut: () => cut };
}
