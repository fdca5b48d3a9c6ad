// Seals app secrets for the database with AES-256-GCM (Web Crypto: the same code on Node and
// Workers). The key comes from APP_SECRETS_KEY; a sealed value reads `v1.<iv>.<ciphertext+tag>`.
import type { SecretBox } from '../app/ports.js';

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
};

/** Refuses a key that is not 32 bytes of base64, with the command that makes a good one. */
export function secretsKeyBytes(base64Key: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64(base64Key.trim());
  } catch {
    bytes = new Uint8Array();
  }
  if (bytes.length !== 32) throw new Error('APP_SECRETS_KEY 应为 32 字节的 base64（用 `openssl rand -base64 32` 生成）');
  return bytes;
}

export function secretBox(base64Key: string): SecretBox {
  const raw = secretsKeyBytes(base64Key);
  const key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await key, new TextEncoder().encode(plain));
      return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
    },
    async open(sealed) {
      const [version, iv, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !data) throw new Error('not a sealed secret');
      // a wrong key or altered text fails GCM's tag check here
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, await key, fromBase64(data));
      return new TextDecoder().decode(plain);
    },
  };
}
