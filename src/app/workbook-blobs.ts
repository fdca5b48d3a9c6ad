// Workbooks drawn for a message (台账, 科室考核) wait in the blob store until the outbox sends them.
import type { Tenant } from '../domain/model.js';
import type { Deps } from './ports.js';

/**
 * Where workbooks drawn for a message wait to be sent. Each is for its message alone and can be
 * drawn again at any time, so it goes when housekeeping prunes its message, and backups leave it out.
 */
export const WORKBOOK_BLOBS = 'ledgers/';

/** The file waits in the blob store; the outbox sends it (and retries) like any other message. */
export async function keepWorkbook(deps: Deps, tenant: Tenant, bytes: Uint8Array): Promise<string> {
  const blobKey = `${WORKBOOK_BLOBS}${tenant.id.replace(/[^\w-]/g, '_')}/${deps.newId()}.xlsx`;
  await deps.blobs.put(blobKey, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  return blobKey;
}
