// The messages of the live streams, one shape for both transports: a type, an optional id (events
// only) and a JSON body. Server-sent events frame them as `event:`/`id:`/`data:` lines; WebSocket
// sends `{"type", "id"?, "data"}` text frames. Pure.

type LiveMessageType = 'ready' | 'event' | 'dropped' | 'stored' | 'heartbeat' | 'metrics';

export interface LiveMessage {
  type: LiveMessageType;
  /** `<partition>-<offset>` of an event. */
  id?: string;
  /** The body as JSON text (one line). */
  data: string;
}

export type Framing = 'sse' | 'ws';

export function frame(message: LiveMessage, framing: Framing): string {
  if (framing === 'ws') return `{"type":"${message.type}"${message.id === undefined ? '' : `,"id":"${message.id}"`},"data":${message.data}}`;
  return `event: ${message.type}\n${message.id === undefined ? '' : `id: ${message.id}\n`}data: ${message.data}\n\n`;
}

export const droppedMessage = (dropped: number): LiveMessage => ({ type: 'dropped', data: JSON.stringify({ dropped }) });

/** Every event of `partition` with an offset up to `offset` (ids `<partition>-<n>`, n ≤ offset) is in the database. */
export const storedMessage = (partition: number, offset: number): LiveMessage => ({
  type: 'stored',
  data: JSON.stringify({ partition, through_offset: offset, through_id: `${partition}-${offset}` }),
});

export const heartbeatMessage = (now: Date): LiveMessage => ({ type: 'heartbeat', data: JSON.stringify({ at: now.toISOString() }) });
