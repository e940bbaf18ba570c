// Response bodies of the collector, as TypeBox schemas: Fastify serializes with them and
// /docs shows them.
import { Type, type Static } from '@sinclair/typebox';

const FieldErrorBody = Type.Object({
  field: Type.String({ description: 'JSON Pointer of the offending field, e.g. /page_url or /3/event_type' }),
  message: Type.String(),
  index: Type.Optional(Type.Integer({ description: 'Position in a batch' })),
});

export const ErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String({ description: 'Machine-readable code: validation_failed, invalid_json, payload_too_large, unsupported_media_type, rate_limited, kafka_unavailable, overloaded, ...' }),
    message: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorBody)),
  },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const SingleAccepted = Type.Object({
  success: Type.Literal(true),
  message: Type.String(),
  eventId: Type.String({ format: 'uuid' }),
});

export const BatchAccepted = Type.Object({
  success: Type.Literal(true),
  message: Type.String(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  eventIds: Type.Array(Type.String({ format: 'uuid' }), { description: 'Ids of the accepted events, in request order' }),
  errors: Type.Array(FieldErrorBody, { description: 'Problems of the rejected items, by index' }),
});

export const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  kafkaReady: Type.Boolean(),
  timestamp: Type.String({ format: 'date-time' }),
  /** Only when unavailable: why, in words (also in the log line of the 503). */
  message: Type.Optional(Type.String()),
});

export function errorBody(error: string, message: string, errors?: ErrorBody['errors']): ErrorBody {
  return errors === undefined ? { success: false, error, message } : { success: false, error, message, errors };
}
