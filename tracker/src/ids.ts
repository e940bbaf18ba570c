// Identifiers made in the browser: event ids (UUID v4, the pipeline deduplicates on them) and
// the per-tab session id. crypto.getRandomValues works on plain http pages; randomUUID does not.

/** A version-4 UUID. */
export const uuid = (): string =>
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16));

/** `session-<ms>-<random>`, the form the design asks for. */
export const newSessionId = (): string => `session-${Date.now()}-${Math.random().toString(36).slice(2, 11)}`;
