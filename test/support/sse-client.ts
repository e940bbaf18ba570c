// A small server-sent events reader over fetch, for tests and the bench: messages as they arrive,
// each with its type, id and parsed data, and waits for one that satisfies a predicate.

export interface SseMessage {
  type: string;
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field by the caller
  data: any;
  /** performance.now() when the message was parsed. */
  at: number;
}

export interface SseStream {
  status: number;
  messages: SseMessage[];
  /** The first message (already received or still to come) after index `from` that satisfies `test`. */
  next(test: (m: SseMessage) => boolean, timeoutMs?: number, from?: number): Promise<SseMessage>;
  close(): void;
  /** The body of a refused request (status ≥ 400). */
  error?: unknown;
  onMessage?: (m: SseMessage) => void;
  /** Settles when the body ends: true when the server ended it, false when close() aborted it. */
  ended: Promise<boolean>;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let settle: (byServer: boolean) => void = () => undefined;
  const stream: SseStream = {
    ended: new Promise<boolean>((resolve) => (settle = resolve)),
    status: res.status,
    messages,
    close: () => controller.abort(),
    async next(test, timeoutMs = 10_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (let i = from; ; ) {
        for (; i < messages.length; i++) if (test(messages[i]!)) return messages[i]!;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such message within ${timeoutMs} ms; got ${messages.map((m) => m.type).join(',')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
  };
  if (res.status >= 400) {
    stream.error = await res.json();
    settle(true);
    return stream;
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const m: Partial<SseMessage> = { type: 'message' };
          let data: string | undefined;
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') m.type = value;
            else if (field === 'id') m.id = value;
            else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
          }
          if (data === undefined) continue;
          const message = { ...m, data: JSON.parse(data), at: performance.now() } as SseMessage;
          messages.push(message);
          stream.onMessage?.(message);
          for (const wake of [...waiters]) wake();
        }
      }
      settle(true);
    } catch {
      // Aborted by close().
      settle(false);
    }
  })();
  return stream;
}
