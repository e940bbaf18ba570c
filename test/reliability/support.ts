// Small helpers shared by the reliability tests: topic offsets.
import type { Kafka } from 'kafkajs';

/** Records written to a topic so far: the sum of its partitions' high watermarks. */
export async function topicMessageCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
