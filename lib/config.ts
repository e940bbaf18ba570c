// Loads a service's configuration once, at boot, from the environment: each key of the schema
// is read from its UPPER_SNAKE_CASE variable, converted, defaulted and validated. Errors name
// the variable, so a typo in a deployment fails fast and clearly.
import { Value } from '@sinclair/typebox/value';
import type { TObject, Static } from '@sinclair/typebox';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function envName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const errors = [...Value.Errors(schema, converted)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${envName(e.path.replace(/^\//, '').split('/')[0] ?? '')}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  return converted as Static<S>;
}
