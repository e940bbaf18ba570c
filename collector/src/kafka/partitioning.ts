// The partition of a record key, as Java's default partitioner (and kafkajs', and the client's
// compatibilityPartitioner) picks it: murmur2 of the key's UTF-8 bytes, made positive, modulo the
// partition count. The collector picks it itself because each partition's records go through one
// producer lane (event-producer.ts); 32-bit Math.imul arithmetic instead of the client's BigInt.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

// Keys are short (`<project>:<visitor>`); one buffer reused avoids an allocation per record.
let scratch = Buffer.alloc(256);

/** Java's `Utils.murmur2` of the bytes, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The 1–3 trailing bytes, as Java's fall-through switch takes them.
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2]! << 16;
    if (rest >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition (0 … count − 1) a record with this key is written to. */
export function partitionOf(key: string, count: number): number {
  if (count <= 1) return 0;
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (key.length * 3 > scratch.length) scratch = Buffer.alloc(key.length * 3);
  const length = scratch.write(key, 0, 'utf8');
  return (murmur2(scratch, length) & 0x7fffffff) % count;
}
