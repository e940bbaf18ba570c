// contract/ingest.proto loaded at run time (no generated code): the service definition the
// collector serves and the client constructor the tests and the send client use.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const INGEST_PROTO = fileURLToPath(new URL('../../../contract/ingest.proto', import.meta.url));

/**
 * keepCase: fields keep the contract's snake_case names. longs as String: an int64 beyond a
 * double's exact range reaches the collector intact and is refused by name instead of rounded.
 * defaults false + oneofs true: an absent `optional` field stays absent (not "" or 0), so a
 * required field left out is refused like a missing JSON property.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true };

/** An Event message as decoded with PROTO_LOADER_OPTIONS: only the fields the sender set (int64 as decimal strings). */
export type EventMessage = Record<string, unknown> & { [key: symbol]: string | { bytes: number; limit: number } | undefined };

/** The answer of StreamEvents (and the JSON of the x-ingest-summary trailer). */
export interface IngestSummaryMessage {
  accepted: number;
  rejected: number;
  errors: { line: number; field: string; message: string }[];
  last_acked_line: number;
}

/** The analytics.v1 package: Ingest.service for the server, Ingest itself as the client constructor. */
export function loadIngestPackage(): { Ingest: grpc.ServiceClientConstructor } {
  const definition = protoLoader.loadSync(INGEST_PROTO, PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { analytics: { v1: { Ingest: grpc.ServiceClientConstructor } } };
  return { Ingest: loaded.analytics.v1.Ingest };
}
