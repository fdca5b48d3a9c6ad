// The ports the use cases talk through. Adapters (platforms/, store/, runtime/) implement them.
import type { Card } from '../../cards/model.js';
import type { Ledger } from '../domain/ledger.js';
import type { Assessment } from '../domain/assessment.js';
import type { Platform, Tenant } from '../domain/model.js';
import type { SheetTable } from '../domain/problem-sheet.js';
import type { PlatformPacing, SendPacer } from './send-pacer.js';
import type { Store } from './store-port.js';

export type { Store } from './store-port.js';

export type MessageTarget =
  | { kind: 'chat'; chatId: string }
  | { kind: 'user'; userId: string }
  /**
   * an answer to an earlier message in a group: Feishu replies to it; a platform without replies
   * (DingTalk) sends to its chat
   */
  | { kind: 'reply'; messageId: string; chatId: string };

/** What the outbox keeps: a file is kept by its blob-store key until it is sent. */
export type MessageBody =
  | { kind: 'card'; card: Card }
  | { kind: 'text'; text: string }
  | { kind: 'file'; fileName: string; blobKey: string };

/** What a platform sends: a file with its bytes (the platform uploads it, then sends it). */
export type OutgoingBody = Exclude<MessageBody, { kind: 'file' }> | { kind: 'file'; fileName: string; bytes: Uint8Array };

export interface OutgoingMessage {
  target: MessageTarget;
  body: OutgoingBody;
  /** the same key twice sends once (Feishu `uuid`, ≤ 50 chars) */
  idempotencyKey: string;
  /** the names of the people the body mentions, for a platform that writes mentions as text */
  names?: ReadonlyMap<string, string>;
}

/** Thrown by a ChatPlatform when a call failed; `retryable` says whether trying again can help. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly platformCode: string | number | null = null,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

/**
 * The app itself cannot call the platform: its credentials were refused (a reset secret) or no client
 * is configured. Every message of the tenant fails alike and none is at fault, so the outbox keeps
 * them, retrying, however long the fix takes, instead of giving them up.
 */
export class AppUnavailableError extends PlatformError {
  constructor(message: string, platformCode: string | number | null = null, retryAfterMs: number | null = null) {
    super(message, true, retryAfterMs, platformCode);
    this.name = 'AppUnavailableError';
  }
}

/** One chat platform's Open API, as the use cases need it. Feishu and DingTalk implement it. */
export interface ChatPlatform {
  readonly platform: Platform;
  /** the platform's send limits; the outbox keeps inside them (see send-pacer.ts) */
  readonly pacing: PlatformPacing;
  /**
   * Whether a mention reaches the reader as the text we write (DingTalk: `@王主任`), so the
   * people's names must come with the message; Feishu draws a mention's name itself.
   */
  readonly mentionsByName: boolean;
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
  /** replace a card already sent by the bot, in place */
  updateCard(messageId: string, card: Card, names?: ReadonlyMap<string, string>): Promise<void>;
  /** the bytes of an image a user sent in a message */
  downloadImage(messageId: string, imageKey: string): Promise<Uint8Array>;
  /** the bytes of a file (a spreadsheet) a user sent in a message */
  downloadFile(messageId: string, fileKey: string): Promise<Uint8Array>;
  /** upload an image so cards can show it; returns the platform's image key */
  uploadImage(bytes: Uint8Array, fileName: string): Promise<string>;
  /** the bot's own user id, to tell "@bot" from "@leader" */
  botUserId(): Promise<string>;
}

/**
 * Which app's client talks for a tenant: the environment's app, or one kept in the database (a
 * deployment serving many organisations holds one app per organisation).
 */
export interface ChatPlatforms {
  /** null when the tenant's app is not configured (or can no longer be opened) */
  clientFor(tenant: Tenant): Promise<ChatPlatform | null>;
}

/** Seals secrets kept in the database (AES-GCM, with a key from the environment) and opens them. */
export interface SecretBox {
  seal(plain: string): Promise<string>;
  /** throws when the text was not sealed with this key */
  open(sealed: string): Promise<string>;
}

/** Keeps the bytes of photos and evidence: a directory on Node, R2 on Workers. */
export interface BlobStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  /** gone for good; a key already gone is no error */
  delete(key: string): Promise<void>;
}

/** Spreadsheets: the ledger written in the hospital's forms, and uploaded files read as text tables. */
export interface Workbooks {
  writeLedger(ledger: Ledger): Promise<Uint8Array>;
  writeAssessment(assessment: Assessment): Promise<Uint8Array>;
  /** every sheet as text; throws `UnreadableFileError` when the bytes are not a workbook */
  readSheets(bytes: Uint8Array): Promise<SheetTable[]>;
}

/** A file that could not be read; the message says why, in Chinese, for the person who sent it. */
export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

export interface Clock {
  now(): number;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Settings {
  timezone: string;
  /** how long an image sent before a finding is filed still belongs to it */
  photoWindowMinutes: number;
  /** warning window for "due soon", in working days */
  dueSoonWorkingDays: number;
  /** overdue beyond this many working days turns a task red */
  redAfterWorkingDays: number;
  /** the same department + category this often within the window is a repeat problem (专项整治) */
  repeatMinCount: number;
  repeatWindowDays: number;
  /** local hour at which the daily reminders and the bulletins go out */
  jobHour: number;
}

export interface Deps {
  store: Store;
  platforms: ChatPlatforms;
  /** null when APP_SECRETS_KEY is not set: then no app can be added to the database */
  secrets: SecretBox | null;
  blobs: BlobStore;
  workbooks: Workbooks;
  clock: Clock;
  log: Logger;
  settings: Settings;
  newId(): string;
  /** asks the outbox to deliver soon (after a commit); the runtime decides how */
  kickOutbox(): void;
  /** the sending process's memory of recent calls, to keep inside the platforms' limits */
  pacer: SendPacer;
}
