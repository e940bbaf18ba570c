// Identifiers made in the browser: event ids (the pipeline deduplicates on them) and the per-tab
// session id.

/**
 * A random (version 4) UUID, taken from a blob URL: the File API makes each one end with a
 * random UUID, in every context, where crypto.randomUUID exists only on https pages. Revoked at
 * once, so nothing stays registered.
 */
export function uuid(): string {
  const url = URL.createObjectURL(new Blob());
  URL.revokeObjectURL(url);
  return url.slice(-36);
}

/** `session-<ms>-<random>`, the form the design asks for: the last 9 hex digits of a new UUID. */
export const newSessionId = (): string => `session-${Date.now()}-${uuid().slice(-9)}`;
