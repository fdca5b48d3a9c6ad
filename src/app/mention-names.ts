// The names behind the mentions in what the bot sends, for a platform that writes a mention as
// text (DingTalk shows `@王主任` only if we write 王主任). Names are the ones people were
// mentioned and wrote under; someone never seen by name keeps their id.
import { mentionsIn, type Card } from '../../cards/model.js';
import type { ChatPlatform, Deps } from './ports.js';

const NONE: ReadonlyMap<string, string> = new Map();

/** The names of everyone `body` mentions that we know by name. */
export async function namesOfMentioned(deps: Deps, tenantId: string, body: Card | string): Promise<ReadonlyMap<string, string>> {
  const ids = mentionsIn(body);
  return ids.length ? deps.store.memberNames(tenantId, ids) : NONE;
}

/** The same, for a message about to leave through `platform`: nothing to look up where the platform names people itself. */
export function mentionNames(deps: Deps, platform: ChatPlatform, tenantId: string, body: Card | string): Promise<ReadonlyMap<string, string>> {
  return platform.mentionsByName ? namesOfMentioned(deps, tenantId, body) : Promise.resolve(NONE);
}
