// A webhook's body, read once as text within a size limit, before any route looks at it.
// hono's bodyLimit builds a whole web Request (streams, an AbortController) just to look at the
// body; under load that was a tenth of a card click. The runtime may hand in a faster reader
// (Node reads straight from the socket); the portable one reads the Request's stream.
import type { Context, MiddlewareHandler } from 'hono';

/** The body as text, or null when it is over `maxBytes` (counted as it arrives). */
export type BodyReader = (c: Context, maxBytes: number) => Promise<string | null>;

/** What the routes behind `limitedBody` find in the context. */
export type WithBody = { Variables: { rawBody: string } };

export const readBodyFromStream: BodyReader = async (c, maxBytes) => {
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
};

/**
 * Reads the body into `rawBody`, or answers 413: at once when Content-Length says it is too big,
 * else as soon as the bytes counted pass the limit (a chunked body has no length to trust).
 */
export function limitedBody(maxBytes: number, read: BodyReader = readBodyFromStream): MiddlewareHandler<WithBody> {
  return async (c, next) => {
    const tooLarge = () => c.json({ error: 'body_too_large' }, 413);
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > maxBytes) return tooLarge();
    const text = await read(c, maxBytes);
    if (text === null) return tooLarge();
    c.set('rawBody', text);
    await next();
    return undefined;
  };
}
