// Feishu verification's two primitives on node:crypto: synchronous, no thread-pool round trip.
import { createDecipheriv, createHash } from 'node:crypto';
import type { FeishuCrypto } from '../platforms/feishu/verify.js';

const keys = new Map<string, Buffer>();

export const nodeFeishuCrypto: FeishuCrypto = {
  sha256Hex: (text) => createHash('sha256').update(text, 'utf8').digest('hex'),
  decryptAesCbc(encryptKey, iv, data) {
    let key = keys.get(encryptKey);
    if (!key) {
      key = createHash('sha256').update(encryptKey, 'utf8').digest();
      keys.set(encryptKey, key);
    }
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(data), decipher.final()]));
  },
};
