// The headers of an NDJSON stream, judged before a byte of its body is read: the media type, the
// charset (NDJSON is UTF-8 only) and the content coding (identity or gzip, decompressed as a
// stream). Each refusal is a 415 naming what was sent.
import { BodyError } from '../../../lib/http-body/json-body.ts';
import { charsetFor, charsetParameter } from '../../../lib/http-body/charsets.ts';

export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** How the body is to be read: gzip-decompressed or as it is. Throws a BodyError (415) otherwise. */
export function ndjsonCoding(headers: { 'content-type'?: string | undefined; 'content-encoding'?: string | string[] | undefined }): { gzip: boolean } {
  const contentType = headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== NDJSON_MEDIA_TYPE) {
    throw new BodyError(415, 'unsupported_media_type', `content type ${JSON.stringify(contentType)} is not supported on this route; send ${NDJSON_MEDIA_TYPE} (one JSON event per line)`, 'Content-Type');
  }
  const param = charsetParameter(contentType);
  if ('error' in param) throw new BodyError(415, 'unsupported_media_type', param.error, 'Content-Type');
  if (param.label !== undefined) {
    const charset = charsetFor(param.label);
    if (typeof charset === 'string' || charset.name !== 'utf-8') {
      throw new BodyError(415, 'unsupported_charset', `charset ${JSON.stringify(param.label)} is not supported: NDJSON is UTF-8; send charset=utf-8 or no charset`, 'Content-Type');
    }
  }
  const raw = headers['content-encoding'];
  const codings = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return { gzip: false };
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) return { gzip: true };
  throw new BodyError(415, 'unsupported_content_encoding', `Content-Encoding ${JSON.stringify(codings.join(', '))} is not supported; send gzip or an uncompressed body`, 'Content-Encoding');
}
