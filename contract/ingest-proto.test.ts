// contract/ingest.proto and the JSON contract are one contract: every ServerEvent property is an
// Event field of the same name (metadata travels as metadata_json text) and of the matching scalar
// type, each with presence (proto3 `optional`), and the message has no other field. A property
// added to ServerEvent without its proto field, or a proto field the JSON contract lacks, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import type { TSchema } from '@sinclair/typebox';
import { ServerEvent } from './index.ts';

const PROTO = fileURLToPath(new URL('./ingest.proto', import.meta.url));
const definition = protoLoader.loadSync(PROTO, { keepCase: true });

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label: string;
  oneofIndex?: number;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  oneofDecl: { name: string }[];
}
const message = (name: string) => (definition[`analytics.v1.${name}`] as unknown as { type: MessageDescriptor }).type;

/** The proto scalar a JSON Schema property travels as. */
function protoType(name: string, schema: TSchema): string {
  if (name === 'metadata') return 'TYPE_STRING'; // metadata_json: the object as JSON text
  switch (schema.type) {
    case 'string':
      return 'TYPE_STRING';
    case 'integer':
      return 'TYPE_INT64';
    case 'number':
      return 'TYPE_DOUBLE';
    case 'boolean':
      return 'TYPE_BOOL';
    default:
      throw new Error(`ServerEvent.${name}: no proto scalar for JSON Schema type ${JSON.stringify(schema.type)}; add one here and in ingest.proto`);
  }
}

const protoName = (name: string) => (name === 'metadata' ? 'metadata_json' : name);

test('every ServerEvent property is an Event field of the same name and matching type, and nothing else is', () => {
  const event = message('Event');
  const fields = new Map(event.field.map((f) => [f.name, f]));
  const expected = Object.entries(ServerEvent.properties).map(([name, schema]) => [protoName(name), protoType(name, schema as TSchema)] as const);
  for (const [name, type] of expected) {
    const field = fields.get(name);
    assert.ok(field !== undefined, `ServerEvent.${name} has no field ${name} in ingest.proto's Event`);
    assert.equal(field.type, type, `Event.${name}`);
    assert.equal(field.label, 'LABEL_OPTIONAL', `Event.${name} is a single value`);
  }
  assert.deepEqual([...fields.keys()].sort(), expected.map(([name]) => name).sort(), 'Event fields without a ServerEvent property');
});

test('every Event field has presence (proto3 optional), so an absent field is never read as "" or 0', () => {
  const event = message('Event');
  for (const field of event.field) {
    assert.ok(field.oneofIndex !== undefined, `Event.${field.name} is not optional`);
    assert.equal(event.oneofDecl[field.oneofIndex]?.name, `_${field.name}`, `Event.${field.name} is in a real oneof, not proto3 optional`);
  }
});

test('field numbers are unique (a reused number would read one field as another)', () => {
  for (const name of ['Event', 'IngestSummary', 'IngestError']) {
    const numbers = message(name).field.map((f) => f.number);
    assert.equal(new Set(numbers).size, numbers.length, name);
  }
});

test("the summary has the NDJSON answer's fields: accepted, rejected, errors (line, field, message), last_acked_line", () => {
  assert.deepEqual(message('IngestSummary').field.map((f) => [f.name, f.type]), [
    ['accepted', 'TYPE_INT64'],
    ['rejected', 'TYPE_INT64'],
    ['errors', 'TYPE_MESSAGE'],
    ['last_acked_line', 'TYPE_INT64'],
  ]);
  assert.deepEqual(message('IngestError').field.map((f) => f.name), ['line', 'field', 'message']);
});
