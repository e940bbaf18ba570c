// Forms that can be run again before their answer came (a funnel, a retention table): only the
// latest run's answer may land. Kept apart from the DOM so it is tested in Node.

/**
 * Returns `next()`: each call aborts the signal the previous call returned and returns a new one,
 * which also aborts when `view` does (the analyst left the view). Linked by hand rather than with
 * AbortSignal.any, which browsers before 2024 lack.
 */
export function latestOnly(view: AbortSignal): () => AbortSignal {
  let last: AbortController | undefined;
  return () => {
    last?.abort();
    const current = new AbortController();
    last = current;
    if (view.aborted) current.abort();
    else view.addEventListener('abort', () => current.abort(), { once: true, signal: current.signal });
    return current.signal;
  };
}
