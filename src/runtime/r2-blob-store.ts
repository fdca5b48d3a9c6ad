// Photos, evidence and ledger files on Workers: one R2 object per blob (D1 rows are too small for them).
import type { R2Bucket } from '@cloudflare/workers-types';
import type { BlobStore } from '../app/ports.js';

export class R2BlobStore implements BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    // R2 writes are atomic: a reader sees the whole object or none
    await this.bucket.put(key, bytes, { httpMetadata: { contentType } });
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }

  async get(key: string): Promise<Uint8Array | null> {
    const object = await this.bucket.get(key);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }
}
