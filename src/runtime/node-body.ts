// On Node the body is read straight from the socket's IncomingMessage, which @hono/node-server
// passes as `c.env.incoming`: no web Request, stream or AbortController is built for it.
import type { HttpBindings } from '@hono/node-server';
import { readBodyFromStream, type BodyReader } from '../http/body.js';

// decoded as Request.text() decodes (a leading byte-order mark dropped), so both readers agree
const utf8 = new TextDecoder();

export const readNodeBody: BodyReader = (c, maxBytes) => {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming || incoming.readableEnded) return readBodyFromStream(c, maxBytes);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // past the limit: answered at once; the rest is still read and dropped, so that the
      // connection is left clean for the client's next request
      if (size > maxBytes) resolve(null);
      else chunks.push(chunk);
    });
    incoming.on('end', () => resolve(size > maxBytes ? null : utf8.decode(Buffer.concat(chunks, size))));
    incoming.on('error', reject);
  });
};
