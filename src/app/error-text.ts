// The one place that turns a refusal into what the user reads (zh-CN).
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { TASK_STATE_LABELS, type TaskState } from '../domain/model.js';
import { DECIDE_REQUEST_FIRST } from '../domain/task-machine.js';

const TEXT: Record<DomainErrorCode, (detail: string | null) => string> = {
  forbidden: () => '您无权进行此操作：责任领导只能办理自己的任务，验收和审批由督查人或监督小组办理。',
  wrong_state: (state) =>
    `当前状态${state && state in TASK_STATE_LABELS ? `（${TASK_STATE_LABELS[state as TaskState]}）` : ''}不能进行此操作，卡片已刷新。`,
  stale: () => '卡片已过期：任务已有新进展，已为您刷新到最新状态，请重新操作。',
  invalid_input: (field) => `请检查「${field ?? '表单'}」：未填写或格式不对。`,
  deadline_passed: () => '已超过整改完成时间，不能再申请延期；请尽快整改或联系督查人。',
  extension_pending: (detail) =>
    detail === DECIDE_REQUEST_FIRST ? '责任领导的延期申请正在等待审批：请先在卡片上同意或不同意延期，再催办或调整期限。' : '已有一条延期申请在等待审批。',
  no_extension_pending: () => '没有待审批的延期申请，卡片已刷新。',
  same_leader: () => '新的责任领导与原责任领导相同，请选择其他人。',
  unchanged: () => '内容没有改动。',
  already_urged: () => '今天已催办过此项，责任领导已收到提醒；明天可再次催办。',
  not_found: (what) => `没有找到${what ?? '该任务'}，可能已被撤销。`,
  not_in_group: () => '请在群聊中使用此命令。',
};

export function errorText(error: DomainError): string {
  return TEXT[error.code](error.detail);
}

export const SYSTEM_BUSY = '系统繁忙，请稍后再试；您的操作没有生效。';
export const BAD_CARD_DATA = '卡片数据无效，请发送「我的任务」重新打开任务卡片。';

export { DomainError };
