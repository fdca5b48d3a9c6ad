// A ChatPlatform whose client module is loaded on first use. The Lark SDK alone adds about 110 MB
// to a process's resident memory; commands that never talk to the platform (export ledger, a
// report) should not carry it.
import type { ChatPlatform } from '../app/ports.js';

/** What is known of a platform's client before it is loaded. */
export type PlatformTraits = Pick<ChatPlatform, 'platform' | 'pacing' | 'mentionsByName'>;

export function lazyPlatform(traits: PlatformTraits, load: () => Promise<ChatPlatform>): ChatPlatform {
  let client: Promise<ChatPlatform> | null = null;
  const get = () => (client ??= load());
  return {
    platform: traits.platform,
    pacing: traits.pacing,
    mentionsByName: traits.mentionsByName,
    send: async (message) => (await get()).send(message),
    updateCard: async (messageId, card, names) => (await get()).updateCard(messageId, card, names),
    downloadImage: async (messageId, key) => (await get()).downloadImage(messageId, key),
    downloadFile: async (messageId, key) => (await get()).downloadFile(messageId, key),
    uploadImage: async (bytes, fileName) => (await get()).uploadImage(bytes, fileName),
    botUserId: async () => (await get()).botUserId(),
  };
}
