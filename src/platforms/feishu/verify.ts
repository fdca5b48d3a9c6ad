// Verification of Feishu webhook deliveries (platform notes §1.3). Written against Web Crypto only, with no
// node:* imports and no Buffer, because the same code serves the Node server and the Cloudflare Worker.
// We do not use the Lark SDK's EventDispatcher here: it hashes JSON.stringify(parsed) instead of the raw
// body, checks nothing without an encrypt key, and has no replay window (notes §0.3).

export type VerifyFailure =
  | 'bad_json'
  | 'bad_signature'
  | 'missing_signature'
  | 'stale_timestamp'
  | 'decrypt_failed'
  | 'bad_token';

export type VerifyResult =
  | { ok: true; body: Record<string, unknown>; isChallenge: boolean; challenge?: string }
  | { ok: false; reason: VerifyFailure };

/**
 * The two primitives verification needs. Web Crypto by default (Workers and Node alike); the Node
 * runtime may pass node:crypto's synchronous ones, which cost a tenth as much for a few hundred
 * bytes because Web Crypto in Node goes through the thread pool.
 */
export interface FeishuCrypto {
  sha256Hex(text: string): Promise<string> | string;
  /** AES-256-CBC with key sha256(encryptKey), PKCS#7 padding; throws on a bad key or padding */
  decryptAesCbc(encryptKey: string, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

export interface VerifyInput {
  /** the request body exactly as received: the signature covers these bytes, not a re-serialisation */
  rawBody: string;
  headers: { timestamp?: string | null; nonce?: string | null; signature?: string | null };
  config: { encryptKey?: string | null; verificationToken?: string | null };
  nowMs: number;
  /** how far X-Lark-Request-Timestamp may be from now, either way; default 300 */
  maxSkewSeconds?: number;
  crypto?: FeishuCrypto;
}

const DEFAULT_MAX_SKEW_SECONDS = 300;
const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

export const webCrypto: FeishuCrypto = {
  sha256Hex: async (text) => toHex(await sha256(text)),
  async decryptAesCbc(encryptKey, iv, data) {
    const key = await aesKeyFor(encryptKey);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv.slice() }, key, data.slice()));
  },
};

// The AES key is sha256(encryptKey): derived once per key, not twice more Web Crypto calls a request.
const aesKeys = new Map<string, Promise<CryptoKey>>();

function aesKeyFor(encryptKey: string): Promise<CryptoKey> {
  let key = aesKeys.get(encryptKey);
  if (!key) {
    key = sha256(encryptKey).then((digest) => crypto.subtle.importKey('raw', digest, 'AES-CBC', false, ['decrypt']));
    key.catch(() => aesKeys.delete(encryptKey));
    aesKeys.set(encryptKey, key);
  }
  return key;
}

/**
 * Decrypts the `encrypt` field of a Feishu body. Throws on bad base64, a wrong key (bad padding) or a
 * plaintext that is not UTF-8; with a wrong key the padding check alone lets about 1 in 256 through,
 * so the strict UTF-8 decode is what makes a wrong key fail reliably in practice.
 */
export async function decryptFeishuBody(encrypt: string, encryptKey: string, primitives: FeishuCrypto = webCrypto): Promise<string> {
  const buf = base64ToBytes(encrypt);
  if (buf.length < 32 || buf.length % 16 !== 0) {
    throw new Error('feishu: encrypted body has an impossible length');
  }
  const plain = await primitives.decryptAesCbc(encryptKey, buf.subarray(0, 16), buf.subarray(16));
  return new TextDecoder('utf-8', { fatal: true }).decode(plain);
}

/** hex(sha256(timestamp + nonce + encryptKey + rawBody)), the X-Lark-Signature of events and new-style callbacks */
export async function feishuSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: string,
  primitives: FeishuCrypto = webCrypto,
): Promise<string> {
  return primitives.sha256Hex(timestamp + nonce + encryptKey + rawBody);
}

/** Constant time for equal lengths, so a caller cannot learn a valid signature or token byte by byte. */
function safeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

function parseObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function bodyToken(body: Record<string, unknown>): unknown {
  if (body.schema === '2.0') {
    const header = body.header;
    return typeof header === 'object' && header !== null ? (header as Record<string, unknown>).token : undefined;
  }
  return body.token;
}

function tokenMatches(token: unknown, expected: string): boolean {
  return typeof token === 'string' && safeEqual(token, expected);
}

export async function verifyFeishuRequest(input: VerifyInput): Promise<VerifyResult> {
  const { rawBody, headers, config, nowMs } = input;
  const maxSkew = input.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const encryptKey = config.encryptKey || null;
  const verificationToken = config.verificationToken || null;

  const outer = parseObject(rawBody);
  if (!outer) return { ok: false, reason: 'bad_json' };

  let body = outer;
  if (typeof outer.encrypt === 'string') {
    // An encrypted body with no key configured cannot be read, which is the same outcome as a wrong key.
    if (!encryptKey) return { ok: false, reason: 'decrypt_failed' };
    let plaintext: string;
    try {
      plaintext = await decryptFeishuBody(outer.encrypt, encryptKey, input.crypto);
    } catch {
      return { ok: false, reason: 'decrypt_failed' };
    }
    // Garbage that survived the padding check is a wrong key, not a client sending bad JSON.
    const inner = parseObject(plaintext);
    if (!inner) return { ok: false, reason: 'decrypt_failed' };
    body = inner;
  }

  // Feishu does not sign the request-URL check, so it must be answered before the signature rules;
  // the verification token is the only proof of origin it carries.
  if (body.type === 'url_verification') {
    if (verificationToken && !tokenMatches(body.token, verificationToken)) {
      return { ok: false, reason: 'bad_token' };
    }
    const challenge = typeof body.challenge === 'string' ? body.challenge : undefined;
    return challenge === undefined
      ? { ok: true, body, isChallenge: true }
      : { ok: true, body, isChallenge: true, challenge };
  }

  if (encryptKey) {
    const signature = headers.signature;
    if (!signature) return { ok: false, reason: 'missing_signature' };
    const expected = await feishuSignature(headers.timestamp ?? '', headers.nonce ?? '', encryptKey, rawBody, input.crypto);
    if (!safeEqual(signature, expected)) return { ok: false, reason: 'bad_signature' };
    // Checked after the signature so the timestamp we judge is one Feishu actually signed.
    const ts = headers.timestamp ?? '';
    if (!/^\d{1,12}$/.test(ts) || Math.abs(nowMs / 1000 - Number(ts)) > maxSkew) {
      return { ok: false, reason: 'stale_timestamp' };
    }
  }

  if (verificationToken && !tokenMatches(bodyToken(body), verificationToken)) {
    return { ok: false, reason: 'bad_token' };
  }

  // With neither an encrypt key nor a verification token configured, nothing can be checked: this is
  // dev mode, where anyone who can reach the URL can inject events. Production config must set both.
  return { ok: true, body, isChallenge: false };
}
