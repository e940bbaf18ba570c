// Loads a service's configuration once, at boot, from the environment: each key of the schema
// is read from its UPPER_SNAKE_CASE variable, converted, defaulted and validated. Errors name
// the variable, so a typo in a deployment fails fast and clearly.
import { Value } from '@sinclair/typebox/value';
import { Type, type TObject, type TSchema, type Static } from '@sinclair/typebox';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** LOG_LEVEL, the same for every service. */
export const LogLevelSetting = Type.Unsafe<LogLevel>(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { default: 'info' }));

/** SHUTDOWN_TIMEOUT_MS: how long a stopping service may take before it exits with 1 anyway. */
export const shutdownTimeoutSetting = (defaultMs: number) => Type.Integer({ minimum: 100, default: defaultMs });

export function envName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * Why a number setting's text cannot be taken exactly, or undefined. TypeBox's conversion keeps
 * what parses: as an integer "1.5" and "1e3" both become 1, and "3.1e3" as a port became 3. So
 * integers must be plain digits within 2^53, and numbers plain decimals.
 */
function inexactNumber(schema: TSchema, text: string): string | undefined {
  if (schema['type'] === 'integer' && !(INTEGER_TEXT.test(text) && Number.isSafeInteger(Number(text)))) return `Expected an integer in plain digits, got ${JSON.stringify(text)}`;
  if (schema['type'] === 'number' && !NUMBER_TEXT.test(text)) return `Expected a number in plain decimal digits, got ${JSON.stringify(text)}`;
  return undefined;
}

export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  // Variable → why its text was refused as inexact; such a variable is not reported again for
  // what its conversion became.
  const inexact = new Map<string, string>();
  for (const [key, property] of Object.entries(schema.properties)) {
    const name = envName(key);
    const value = env[name];
    if (value === undefined || value === '') continue;
    const why = inexactNumber(property, value);
    if (why !== undefined) inexact.set(name, why);
    raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const errors = [...Value.Errors(schema, converted)];
  if (errors.length > 0 || inexact.size > 0) {
    const lines = [...inexact].map(([name, why]) => `${name}: ${why}`);
    for (const e of errors) {
      const name = envName(e.path.replace(/^\//, '').split('/')[0] ?? '');
      if (!inexact.has(name)) lines.push(`${name}: ${e.message}`);
    }
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  return converted as Static<S>;
}
