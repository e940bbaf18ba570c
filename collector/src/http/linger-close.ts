// An answer sent before the request body's end (a refused key, a limit, an outage) closes the
// connection. Node destroys the socket as soon as the answer is flushed; the client, still
// uploading, then gets a TCP reset, which on most systems also discards the answer it had not read
// yet: it sees EPIPE or ECONNRESET instead of the 413 or 503 that says where to resume. A lingering
// close (as web servers do) half-closes at once and destroys the socket only after `ms`, leaving
// the client time to read the answer and stop. What it sends meanwhile is not read: TCP's window
// fills and holds it, so the collector takes no more of the body.
import type { Socket } from 'node:net';

/** Makes Node's close of `socket` after the answer a lingering one of `ms` milliseconds. */
export function lingerOnClose(socket: Socket, ms: number): void {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    if (this.writable) this.end();
    setTimeout(() => this.destroy(), ms).unref();
  };
}
