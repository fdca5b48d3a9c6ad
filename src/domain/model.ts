// The domain's vocabulary. Plain data only: no I/O, no platform, no runtime.

export type Platform = 'feishu' | 'dingtalk';

export type Role = 'admin' | 'supervisor' | 'inspector' | 'leader';
export const ROLES: readonly Role[] = ['admin', 'supervisor', 'inspector', 'leader'];
export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  supervisor: '监督小组',
  inspector: '督查组',
  leader: '责任领导',
};

/** The four categories of the hospitals' own forms (seed 000); campaigns may add their own. */
export const STANDARD_CATEGORIES = ['服务态度', '服务流程', '服务质量', '服务环境'] as const;

export const FINDING_SOURCES = ['日常督查', '专项检查', '不定期督查', '巡察反馈', '群众投诉'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];

export type TaskState = 'pending' | 'declined' | 'in_progress' | 'submitted' | 'closed' | 'cancelled';
export const TASK_STATES: readonly TaskState[] = [
  'pending',
  'declined',
  'in_progress',
  'submitted',
  'closed',
  'cancelled',
];
/** Not yet 销号 or 撤销: someone still has something to do. */
export const OPEN_TASK_STATES: readonly TaskState[] = ['pending', 'declined', 'in_progress', 'submitted'];
export const TASK_STATE_LABELS: Record<TaskState, string> = {
  pending: '待签收',
  declined: '待重新指派',
  in_progress: '整改中',
  submitted: '待验收',
  closed: '已销号',
  cancelled: '已撤销',
};

/** Closure kinds in the wording of real ledgers (seed 003). */
export type ClosureKind = 'done' | 'done_on_the_spot' | 'long_term';
export const CLOSURE_KINDS: readonly ClosureKind[] = ['done', 'done_on_the_spot', 'long_term'];
export const CLOSURE_KIND_LABELS: Record<ClosureKind, string> = {
  done: '已整改完成',
  done_on_the_spot: '即知即改',
  long_term: '长期坚持',
};

/** A calendar date in the business time zone, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface Tenant {
  id: string;
  platform: Platform;
  externalKey: string;
  name: string | null;
  /** the chat app whose deliveries act for this tenant (ChatApp.id); null: the environment's app */
  appId: string | null;
}

/** A chat app kept in the database (one per organisation on a shared deployment); secrets apart. */
export interface ChatApp {
  /** the name in its webhook path, /webhooks/<platform>/<id> */
  id: string;
  platform: Platform;
  /** the platform's own id of the app (Feishu cli_…, DingTalk clientId) */
  appKey: string;
  /** the platform's Open API origin when not the public one (a private deployment, a test stub) */
  baseUrl: string | null;
  name: string | null;
}

export interface Member {
  tenantId: string;
  userId: string;
  name: string | null;
  roles: Role[];
}

export interface Department {
  id: string;
  tenantId: string;
  name: string;
  leaderUserId: string | null;
  /** 科室停用 (merged, abolished): offered for no new finding from this date; null while in use */
  retiredOn: IsoDate | null;
}

/**
 * 督查组 (督查一组, 督查二组 …): a 组长 and 成员 who inspect together; seed 000 asks each for at least
 * one routine inspection a week. Who belongs to it is kept by period (TeamMembership), so a month
 * is counted by the groups as they were then, not as they are now.
 */
export interface InspectionTeam {
  id: string;
  tenantId: string;
  name: string;
  leadUserId: string | null;
  /** 撤销督查组: from this day it has no members; its past inspections still count for it */
  retiredOn: IsoDate | null;
  createdAt: number;
}

/** One person in one 督查组 from `fromOn` up to (not including) `untilOn`; null: still. */
export interface TeamMembership {
  teamId: string;
  userId: string;
  fromOn: IsoDate;
  untilOn: IsoDate | null;
}

export interface Campaign {
  id: string;
  tenantId: string;
  name: string;
  categories: string[];
  isDefault: boolean;
  /** 结束专项: the day it ended; null while it runs (the everyday campaign never ends) */
  endedOn: IsoDate | null;
}

export interface Finding {
  id: string;
  tenantId: string;
  campaignId: string;
  /** Short sequence number within the tenant, what people say aloud ("12号问题"). */
  number: number;
  departmentId: string | null;
  area: string;
  category: string;
  description: string;
  inspectorUserId: string;
  foundOn: IsoDate;
  source: FindingSource;
  chatId: string | null;
  intakeCardId: string | null;
  /** 方面 → 大项 of a 巡察 feedback list (seed 003); null for ordinary findings */
  aspect: string | null;
  majorItem: string | null;
  /** the spreadsheet import it came from and its ordinal there, if any */
  importId: string | null;
  importRow: number | null;
  createdAt: number;
}

/** 督查记录: an inspection of a department that found nothing to rectify (one a day per inspector and department). */
export interface InspectionVisit {
  id: string;
  tenantId: string;
  campaignId: string;
  departmentId: string;
  inspectorUserId: string;
  visitedOn: IsoDate;
  /** what the inspector added (「环境整洁，标识清楚」); null when nothing */
  note: string | null;
  chatId: string | null;
  createdAt: number;
}

export interface Task {
  id: string;
  tenantId: string;
  findingId: string;
  state: TaskState;
  leaderUserId: string;
  measures: string | null;
  /** 责任人: who carries the measures out, named by the leader on 签收; free text */
  responsiblePerson: string | null;
  /** 验收标准: what the inspector will verify against, set at filing */
  acceptanceCriteria: string | null;
  deadline: IsoDate;
  completionNote: string | null;
  closureKind: ClosureKind | null;
  returnsCount: number;
  /** Increments with every state change; a card carries the version it was drawn from. */
  version: number;
  closedAt: number | null;
  closedOn: IsoDate | null;
  createdAt: number;
  updatedAt: number;
}

/** withdrawn: the task was submitted, reassigned or cancelled while the request was open */
export type ExtensionStatus = 'pending' | 'approved' | 'refused' | 'withdrawn';

export interface ExtensionRequest {
  id: string;
  tenantId: string;
  taskId: string;
  requestedDeadline: IsoDate;
  previousDeadline: IsoDate;
  reason: string;
  status: ExtensionStatus;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: number | null;
  createdAt: number;
}

export interface Attachment {
  id: string;
  tenantId: string;
  findingId: string | null;
  taskId: string | null;
  purpose: 'finding_photo' | 'evidence';
  blobKey: string;
  /** The platform's key for the re-uploaded image (Feishu image_key), shown on cards. */
  platformImageKey: string | null;
  uploaderUserId: string;
  chatId: string;
  /** the message this image replied to (an intake or task card), if any */
  replyToMessageId: string | null;
  createdAt: number;
}

export interface TaskEvent {
  tenantId: string;
  taskId: string;
  seq: number;
  action: string;
  actorUserId: string;
  at: number;
  data: Record<string, unknown>;
}

/** A task together with what every rule about it needs to know. */
export interface TaskContext {
  task: Task;
  finding: Finding;
  department: Department | null;
  pendingExtension: ExtensionRequest | null;
  attachments: Attachment[];
}

export interface Actor {
  userId: string;
  roles: readonly Role[];
}
