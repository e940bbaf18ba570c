// Apache Kafka's console producer (bin/kafka-console-producer) driven from tests, and a reader
// that collects a topic's records with their headers.
import { spawn } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import { ROOT } from '../support/services.ts';

/** Writes one record per line with the official console producer; resolves when it exited 0. */
export async function consoleProduce(broker: string, topic: string, lines: Buffer[]): Promise<void> {
  const child = spawn('bash', [`${ROOT}bin/kafka-console-producer`, '--bootstrap-server', broker, '--topic', topic, '--producer-property', 'max.request.size=1048000'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  for (const line of lines) child.stdin.write(Buffer.concat([line, Buffer.from('\n')]));
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`kafka-console-producer exited ${code}: ${output}`);
}

export interface TopicRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` records arrived (the bound only stops a hang). */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}` });
  const seen: TopicRecord[] = [];
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${topic}: ${seen.length} of ${count} records`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
          seen.push({ partition, offset: message.offset, key: message.key, value: message.value, headers });
          if (seen.length >= count) resolve();
        },
      });
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return seen;
}
