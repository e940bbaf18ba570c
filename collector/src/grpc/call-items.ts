// The messages of a gRPC client stream as the streaming core's source (events/ingest-stream.ts),
// numbered from 1. Messages are taken as grpc-js emits them into a small queue; at `highWater`
// queued messages the call is paused, so grpc-js stops reading and HTTP/2 flow control holds the
// client while the core waits for Kafka. One timer per wait for the client, none per message: a
// per-message timer and promise race cost more than decoding the message itself.
import type { Readable } from 'node:stream';
import type { StreamItem } from '../events/ingest-stream.ts';
import { messageToItem } from './event-message.ts';
import type { EventMessage } from './ingest-proto.ts';
import { IdleTimeout } from './ingest-status.ts';

/** The call went away before its end (the client cancelled, or the connection broke). */
export class CallAborted extends Error {
  override name = 'CallAborted';
  constructor() {
    super('the client ended the call before the end of its stream');
  }
}

export interface CallItemsOptions {
  /** A read waiting longer than this for the client's next message fails with IdleTimeout (ms). */
  idleMs: number;
  /** Messages held before the call is paused (and resumed again at half of it). */
  highWater: number;
}

/**
 * The call's messages as stream items. A read that finds none waits for the client at most
 * idleMs (IdleTimeout); a call closed before its end fails the read with CallAborted. close() (or
 * the core's return()) stops reading: later reads end instead of failing.
 */
export function callItems(call: Readable, options: CallItemsOptions): AsyncIterable<StreamItem> & { close(): void } {
  // At most about highWater long: shift() stays cheap, and nothing read is held behind a cursor.
  const queue: EventMessage[] = [];
  let line = 0;
  let ended = false;
  let closed = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (message: EventMessage) => {
    queue.push(message);
    if (queue.length >= options.highWater) call.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= new CallAborted();
    notify();
  };
  const onError = (error: Error) => {
    failure ??= error;
    notify();
  };
  call.on('data', onData);
  call.on('end', onEnd);
  call.on('close', onClose);
  call.on('error', onError);

  const close = () => {
    if (closed) return;
    closed = true;
    call.off('data', onData);
    call.off('end', onEnd);
    call.off('close', onClose);
    // A late error of a call no longer read must not become an unhandled 'error' event.
    call.off('error', onError);
    call.on('error', () => undefined);
    call.destroy();
    queue.length = 0;
    notify();
  };

  const take = (): IteratorResult<StreamItem> | undefined => {
    if (closed) return { done: true, value: undefined };
    const message = queue.shift();
    if (message !== undefined) {
      if (call.isPaused() && queue.length <= options.highWater / 2) call.resume();
      line += 1;
      return { done: false, value: messageToItem(message, line) };
    }
    // Messages that arrived before a failure are still read before it is reported.
    if (failure !== undefined) throw failure;
    if (ended) return { done: true, value: undefined };
    if (call.isPaused()) call.resume();
    return undefined;
  };

  const wait = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = undefined;
        reject(new IdleTimeout(options.idleMs));
      }, options.idleMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const iterator: AsyncIterator<StreamItem> = {
    async next() {
      for (;;) {
        const result = take();
        if (result !== undefined) return result;
        await wait();
      }
    },
    async return() {
      close();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, close };
}
