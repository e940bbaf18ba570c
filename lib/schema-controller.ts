// The schema validators of every Fastify app (collector, query API, demo site). Query strings and
// path parameters arrive as text, so their validator converts them ("7" is 7; a parameter given
// twice becomes an array, refused by name); a JSON body carries its own types, so it is validated
// as sent: a 2xx uses a body exactly as it came, and "365" is not a number of days, 3600 not a
// duration, an object not a list. Fastify's default would convert bodies too, and strip unknown
// keys instead of refusing them.
import ajvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type RouteSchemaDefinition = { schema: unknown; method: string; url: string; httpPart?: string };
type Compile = (definition: RouteSchemaDefinition) => unknown;

const COMMON = {
  // Unknown parameters and body keys are refused by name (a typo such as utm_sorce must not widen
  // a report silently, nor a misspelt setting be dropped), so ajv must not strip them.
  removeAdditional: false,
  useDefaults: true,
  // Type errors name what the field is (its schema's title): "window must be string (an ISO 8601 duration)".
  verbose: true,
} as const;

/**
 * Fastify's schema controller with the two validators: converting for the URL's parts, exact for
 * the body. Pass it as `Fastify({ schemaController: schemaController() })`; a route with its own
 * validatorCompiler keeps it.
 */
export function schemaController(): NonNullable<FastifyServerOptions['schemaController']> {
  const pool = ajvCompiler();
  return {
    compilersFactory: {
      buildValidator: ((externalSchemas: Record<string, never>, options: { customOptions?: object }) => {
        const fromText = pool(externalSchemas, { ...options, customOptions: { ...options.customOptions, ...COMMON, coerceTypes: 'array' } }) as unknown as Compile;
        const asSent = pool(externalSchemas, { ...options, customOptions: { ...options.customOptions, ...COMMON, coerceTypes: false } }) as unknown as Compile;
        return (definition: RouteSchemaDefinition) => (definition.httpPart === 'body' ? asSent : fromText)(definition);
      }) as never,
    },
  };
}
