// lingerOnClose over real TCP sockets: a server answers while the client is still sending and
// closes as Node's HTTP server does (destroySoon); a client busy for a moment reads the answer
// only later. With the lingering close it gets the answer (with Node's own close, the same client
// gets a reset and loses the answer: seen on Linux, not asserted here, as it is the kernel's doing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { lingerOnClose } from './linger-close.ts';

async function answerWhileUploading(): Promise<{ answer: string; error?: string }> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    lingerOnClose(socket, 2000);
    // Reads nothing of the upload (as the stream route stops reading), answers and closes.
    socket.write('HTTP/1.1 413 Payload Too Large\r\nconnection: close\r\ncontent-length: 2\r\n\r\nno');
    socket.destroySoon();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let error: string | undefined;
  const client = net.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  client.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  await once(client, 'connect');
  client.pause(); // busy: the answer waits unread in the socket
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let i = 0; i < 64 && !client.destroyed; i++) client.write(chunk, () => undefined);
  await sleep(300);
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  client.resume();
  // Not events.once: it would reject on the 'error' (EPIPE) the client's unsent upload ends with.
  await Promise.race([new Promise((r) => client.on('close', r)), sleep(3000)]);
  client.destroy();
  server.close();
  return { answer: Buffer.concat(chunks).toString('latin1'), ...(error === undefined ? {} : { error }) };
}

test('with a lingering close the client still uploading reads the answer afterwards', async () => {
  const { answer } = await answerWhileUploading();
  assert.match(answer, /^HTTP\/1\.1 413 /);
});
