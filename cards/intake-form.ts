// The intake form (督查登记): what an inspector fills in to record a finding. Free text after
// the 督查 command pre-fills it.
import type { Campaign, Department } from '../src/domain/model.js';
import { MAX_ACCEPTANCE } from '../src/domain/task-machine.js';
import type { Card } from './model.js';

export const OTHER_CATEGORY = '__other__';
/** The form field a direct chat's form chooses its campaign with. */
export const INTAKE_CAMPAIGN_FIELD = 'campaign';

type CampaignChoice = Pick<Campaign, 'id' | 'name' | 'isDefault' | 'categories'>;

export interface IntakeFormView {
  /** the campaign the finding will belong to: its categories are offered, a 专项 is named on the form */
  campaign: CampaignChoice;
  /**
   * The campaigns to choose from, the default one first: a direct chat belongs to none, so an
   * inspector filing there for a 专项 picks it. Absent (a group's form), the group's campaign holds.
   */
  campaignChoices?: readonly CampaignChoice[];
  departments: readonly Department[];
  photoCount: number;
  photoWindowMinutes: number;
  prefill: {
    description: string;
    category: string | null;
    leaderUserId: string | null;
    deadline: string | null;
    departmentId: string | null;
  };
}

/** Every category the form offers: its campaign's, or all the choosable campaigns' together. */
export function intakeCategories(view: Pick<IntakeFormView, 'campaign' | 'campaignChoices'>): string[] {
  const campaigns = view.campaignChoices?.length ? view.campaignChoices : [view.campaign];
  return [...new Set(campaigns.flatMap((c) => c.categories))];
}

/** An inspection that found nothing needs no form: the way to record it, where an inspector looks. */
export const NOTHING_FOUND_HINT = '督查未发现问题时不必填表：发送「督查 科室名称 未发现问题」即记一次督查。';

export function intakeForm(view: IntakeFormView): Card {
  const { prefill } = view;
  const categories = intakeCategories(view);
  const customCategory = prefill.category && !categories.includes(prefill.category) ? prefill.category : null;
  const categoryOptions = [...categories.map((c) => ({ value: c, label: c })), { value: OTHER_CATEGORY, label: '其他（在下方填写）' }];
  const choices = view.campaignChoices ?? [];
  const photoLine = view.photoCount
    ? `已收到 ${view.photoCount} 张现场照片，提交后附在问题上。`
    : `需要附现场照片？提交前 ${view.photoWindowMinutes} 分钟内在本群发送，或回复本卡片发送。`;
  return {
    title: '督查登记',
    // a 专项's form says which campaign it files into; the everyday one says what it does
    subtitle: view.campaign.isDefault ? '记录问题并下发整改任务' : `${view.campaign.name} · 记录问题并下发整改任务`,
    colour: 'blue',
    summary: '督查登记表',
    elements: [
      { kind: 'note', text: photoLine },
      { kind: 'note', text: NOTHING_FOUND_HINT },
      {
        kind: 'form',
        name: 'intake',
        fields: [
          ...(choices.length > 1
            ? [
                {
                  kind: 'select' as const,
                  name: INTAKE_CAMPAIGN_FIELD,
                  label: '督查专项',
                  required: true,
                  options: choices.map((c) => ({ value: c.id, label: c.name })),
                  initial: view.campaign.id,
                },
              ]
            : []),
          // a select with no options is refused by Feishu: until the office lists its departments
          // (科室 新增 …), the form asks for the name instead
          ...(view.departments.length
            ? [
                {
                  kind: 'select' as const,
                  name: 'department',
                  label: '责任科室',
                  placeholder: '选择科室（选后可不填责任领导）',
                  options: view.departments.map((d) => ({ value: d.id, label: d.name })),
                  ...(prefill.departmentId ? { initial: prefill.departmentId } : {}),
                },
              ]
            : []),
          {
            kind: 'text',
            name: 'department_new',
            label: view.departments.length ? '或填写新科室' : '责任科室',
            placeholder: view.departments.length ? '列表中没有时填写，如：急诊科' : '如：急诊科（发送「科室 新增 急诊科 @责任领导」可预设科室）',
            maxLength: 50,
          },
          { kind: 'text', name: 'area', label: '督查区域', placeholder: '如：门诊大厅挂号窗口', maxLength: 100 },
          {
            kind: 'select',
            name: 'category',
            label: '问题类别',
            required: true,
            options: categoryOptions,
            ...(prefill.category ? { initial: customCategory ? OTHER_CATEGORY : prefill.category } : {}),
          },
          {
            kind: 'text',
            name: 'category_custom',
            label: '其他类别',
            placeholder: '类别选"其他"时填写',
            maxLength: 20,
            ...(customCategory ? { initial: customCategory } : {}),
          },
          {
            kind: 'text',
            name: 'description',
            label: '主要问题',
            placeholder: '看到了什么、在哪里、何时',
            multiline: true,
            required: true,
            maxLength: 1000,
            ...(prefill.description ? { initial: prefill.description } : {}),
          },
          {
            kind: 'person',
            name: 'leader',
            label: '责任领导',
            placeholder: '不选则用科室的责任领导',
            ...(prefill.leaderUserId ? { initial: prefill.leaderUserId } : {}),
          },
          { kind: 'date', name: 'deadline_date', label: '整改完成时间', ...(prefill.deadline ? { initial: prefill.deadline } : {}) },
          { kind: 'text', name: 'deadline_text', label: '或填写期限', placeholder: '如：3个工作日', maxLength: 20 },
          {
            kind: 'text',
            name: 'acceptance',
            label: '验收标准',
            placeholder: '验收时看什么，如：呼叫铃5秒内应答，连续一周巡查无故障（可不填）',
            multiline: true,
            maxLength: MAX_ACCEPTANCE,
          },
        ],
        // a 专项's form files into it wherever it is submitted (the everyday campaign needs no mark)
        submit: { label: '提交并下发整改', style: 'primary', action: { a: 'file_finding', ...(view.campaign.isDefault ? {} : { x: { c: view.campaign.id } }) } },
      },
    ],
  };
}
