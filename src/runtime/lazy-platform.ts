// A ChatPlatform whose client module is loaded on first use. The Lark SDK alone adds about 110 MB
// to a process's resident memory; commands that never talk to the platform (export ledger, a
// report) should not carry it.
import type { ChatPlatform } from '../app/ports.js';
import type { PlatformPacing } from '../app/send-pacer.js';
import type { Platform } from '../domain/model.js';

export function lazyPlatform(platform: Platform, pacing: PlatformPacing, load: () => Promise<ChatPlatform>): ChatPlatform {
  let client: Promise<ChatPlatform> | null = null;
  const get = () => (client ??= load());
  return {
    platform,
    pacing,
    send: async (message) => (await get()).send(message),
    updateCard: async (messageId, card) => (await get()).updateCard(messageId, card),
    downloadImage: async (messageId, key) => (await get()).downloadImage(messageId, key),
    downloadFile: async (messageId, key) => (await get()).downloadFile(messageId, key),
    uploadImage: async (bytes, fileName) => (await get()).uploadImage(bytes, fileName),
    botUserId: async () => (await get()).botUserId(),
  };
}
