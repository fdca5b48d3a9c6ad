// DingTalk's HTTP-mode robot callbacks (platform notes §4.3): headers `timestamp` (ms) and `sign`,
// where sign = base64(HMAC-SHA256(key = appSecret, timestamp + "\n" + appSecret)), and the
// timestamp must be within an hour of now. Web Crypto only, so the Worker runs the same code.
//
// The signature covers the timestamp, not the body: a captured request can be replayed inside the
// window. Deliveries are deduplicated by msgId in the database, so a replay changes nothing.

export type DingTalkVerifyFailure = 'missing_headers' | 'stale_timestamp' | 'bad_signature' | 'bad_json';

export type DingTalkVerifyResult = { ok: true; body: Record<string, unknown> } | { ok: false; reason: DingTalkVerifyFailure };

/** DingTalk's own window (its clients refuse anything older than an hour). */
export const DINGTALK_MAX_SKEW_MS = 60 * 60 * 1000;

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function dingTalkSignature(timestamp: string, appSecret: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(appSecret), new TextEncoder().encode(`${timestamp}\n${appSecret}`));
  return toBase64(mac);
}

/** Compares without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function verifyDingTalkRequest(input: {
  rawBody: string;
  headers: { timestamp: string | null; sign: string | null };
  appSecret: string;
  nowMs: number;
}): Promise<DingTalkVerifyResult> {
  const { timestamp, sign } = input.headers;
  if (!timestamp || !sign) return { ok: false, reason: 'missing_headers' };
  const at = Number(timestamp);
  if (!/^\d{10,16}$/.test(timestamp) || Math.abs(input.nowMs - at) > DINGTALK_MAX_SKEW_MS) return { ok: false, reason: 'stale_timestamp' };
  if (!sameText(sign, await dingTalkSignature(timestamp, input.appSecret))) return { ok: false, reason: 'bad_signature' };
  try {
    const body: unknown = JSON.parse(input.rawBody);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'bad_json' };
    return { ok: true, body: body as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'bad_json' };
  }
}
