// Parameter schemas shared by the list routes (/events, /visits and the journeys): paging, the
// next cursor and examples. http/project-scope.ts adds the project parameter, the security schemes
// and the error answers to every route; the row schemas are in query/list-items.ts.
import { Type, type TSchema } from '@sinclair/typebox';
import { CURSOR_MAX_LENGTH } from '../query/cursor.ts';
export { EventItemSchema, VisitItemSchema } from '../query/list-items.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Page size and position: every list route takes them. */
export const PAGING_PARAMETERS = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Rows per page, 1..1000.', examples: [50] }),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: CURSOR_MAX_LENGTH,
      description: "The previous page's next_cursor: this page starts right after its last row. Valid only on the list (route, project, path) that wrote it; anything else is refused (400, field cursor).",
    }),
  ),
};

export const NEXT_CURSOR = nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last page.' }));

/** `schema` with OpenAPI examples (the OpenAPI test sends each one), keeping TypeBox's own markers. */
export function withExamples<T extends TSchema>(schema: T, examples: readonly Record<string, unknown>[]): T {
  return Object.assign(schema, { examples });
}
