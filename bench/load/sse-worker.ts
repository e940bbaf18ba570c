// The live benchmark's subscribers, in a process of their own: N server-sent event streams of
// …/live/events, each message's event_id stamped with nowMs() on arrival (comparable with the
// load generator's clock). Run by bench/cases/live.ts through fork + IPC: it sends `ready` once
// every stream said ready, `progress` every 500 ms, and the receipts when told to stop.
import http from 'node:http';
import { nowMs } from '../lib/processes.ts';

export interface SseLoadRequest {
  url: string;
  apiKey: string;
  subscribers: number;
}

export type SseMessage =
  | { type: 'ready' }
  | { type: 'progress'; events: number }
  | { type: 'done'; receipts: [string, number[]][]; dropped: number }
  | { type: 'error'; error: string };

const EVENT_ID = /"event_id":"([^"]+)"/;

function subscribe(req: SseLoadRequest, onReady: () => void, onEvent: (id: string, at: number) => void, onDropped: (n: number) => void): http.ClientRequest {
  const r = http.get(req.url, { headers: { accept: 'text/event-stream', 'x-api-key': req.apiKey }, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      process.send!({ type: 'error', error: `subscribe: HTTP ${res.statusCode}` } satisfies SseMessage);
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      const at = nowMs();
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith('event: event\n')) {
          const id = EVENT_ID.exec(block)?.[1];
          if (id !== undefined) onEvent(id, at);
        } else if (block.startsWith('event: ready\n')) onReady();
        else if (block.startsWith('event: dropped\n')) onDropped(Number(/"dropped":(\d+)/.exec(block)?.[1] ?? 0));
      }
    });
  });
  r.on('error', (error) => process.send!({ type: 'error', error: String(error) } satisfies SseMessage));
  return r;
}

process.once('message', (req: SseLoadRequest) => {
  const receipts = new Map<string, number[]>();
  let events = 0;
  let ready = 0;
  let dropped = 0;
  const requests: http.ClientRequest[] = [];
  for (let i = 0; i < req.subscribers; i++) {
    requests.push(
      subscribe(
        req,
        () => {
          if (++ready === req.subscribers) process.send!({ type: 'ready' } satisfies SseMessage);
        },
        (id, at) => {
          events++;
          let list = receipts.get(id);
          if (list === undefined) receipts.set(id, (list = []));
          list.push(at);
        },
        (n) => (dropped += n),
      ),
    );
  }
  const timer = setInterval(() => process.send!({ type: 'progress', events } satisfies SseMessage), 500);
  process.once('message', () => {
    clearInterval(timer);
    for (const r of requests) r.destroy();
    process.send!({ type: 'done', receipts: [...receipts], dropped } satisfies SseMessage, () => process.exit(0));
  });
});
