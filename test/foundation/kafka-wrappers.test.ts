// The ops wrappers in bin/ run Apache Kafka's own console tools with the official arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ROOT } from '../support/services.ts';
import { createTopic, deleteTopics, testKafka } from '../support/kafka.ts';

const run = promisify(execFile);
const bin = (name: string) => `${ROOT}bin/${name}`;

test('bin/kafka-topics --list shows the event and dead-letter topics', async () => {
  await testKafka();
  const { stdout } = await run(bin('kafka-topics'), ['--list', '--bootstrap-server', 'localhost:9092'], { timeout: 60_000 });
  const topics = stdout.split('\n');
  assert.ok(topics.includes('analytics-events'), stdout);
  assert.ok(topics.includes('analytics-events-dlq'), stdout);
});

test('bin/kafka-console-consumer prints a message a test produced, and the producer wrapper writes one', async () => {
  const kafka = await testKafka('wrappers');
  const topic = await createTopic(kafka, 'test-wrappers', 1);
  try {
    const viaKafkajs = JSON.stringify({ marker: randomUUID() });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: viaKafkajs }] });
    await producer.disconnect();

    const viaConsole = JSON.stringify({ marker: randomUUID() });
    const producerRun = run(bin('kafka-console-producer'), ['--bootstrap-server', 'localhost:9092', '--topic', topic], { timeout: 60_000 });
    producerRun.child.stdin!.end(`${viaConsole}\n`);
    await producerRun;

    const { stdout } = await run(
      bin('kafka-console-consumer'),
      ['--bootstrap-server', 'localhost:9092', '--topic', topic, '--from-beginning', '--max-messages', '2'],
      { timeout: 60_000 },
    );
    assert.deepEqual(stdout.trim().split('\n'), [viaKafkajs, viaConsole]);
  } finally {
    await deleteTopics(kafka, [topic]);
  }
});
