// What a use case hands back: the writes to commit as one, and the answer to the click.
import type { Card } from '../../cards/model.js';
import type { Toast } from './inbound.js';
import type { WriteOp } from './store-port.js';

export interface Reply {
  toast: Toast;
  /** replaces the clicked card in place */
  card?: Card;
}

export interface Outcome {
  ops: WriteOp[];
  reply: Reply | null;
}

export const nothing = (reply: Reply | null = null): Outcome => ({ ops: [], reply });
export const toast = (type: Toast['type'], text: string, card?: Card): Reply => (card ? { toast: { type, text }, card } : { toast: { type, text } });
