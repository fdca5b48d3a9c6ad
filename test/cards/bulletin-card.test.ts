// The bulletin card as Feishu receives it: valid Card JSON 2.0, mentions that notify, and
// under 30 KB however large the hospital — the ledger pointer covers what was left out.
import { describe, expect, it } from 'vitest';
import { bulletinCard, LEDGER_POINTER } from '../../cards/bulletin.js';
import { buildBulletin, type BulletinRow, type BulletinSource, type Totals } from '../../src/domain/bulletin.js';
import { renderFeishuCard, type FeishuCardJson, type FeishuElement } from '../../src/platforms/feishu/render-card.js';
import { checkFeishuCard } from '../support/feishu-card-rules.js';

const row = (name: string, n: number, closed: number, open: number, overdue: number): BulletinRow => ({ name, new: n, closed, open, overdue });
const zero: Totals = { new: 0, closed: 0, open: 0, overdue: 0, totalEver: 0, closedEver: 0 };

function source(overrides: Partial<BulletinSource> = {}): BulletinSource {
  return {
    kind: 'weekly',
    periodStart: '2026-11-16',
    periodEnd: '2026-11-22',
    campaignName: '作风建设专项督查',
    current: { new: 3, closed: 2, open: 4, overdue: 2, totalEver: 10, closedEver: 6 },
    previous: { new: 1, closed: 1, open: 3, overdue: 1, totalEver: 7, closedEver: 4 },
    byDepartment: [row('急诊科', 2, 0, 3, 2), row('门诊部', 1, 2, 1, 0)],
    byCategory: [row('服务态度', 2, 1, 3, 2), row('服务环境', 1, 1, 1, 0)],
    overdue: [
      { findingNumber: 5, departmentName: '急诊科', description: '分诊台态度生硬', leaderUserId: 'ou_ji', overdueDays: 4 },
      { findingNumber: 9, departmentName: null, description: '走廊堆放杂物 <@ou_fake>', leaderUserId: 'ou_zong', overdueDays: 1 },
    ],
    repeats: [{ departmentName: '急诊科', category: '服务态度', count: 3 }],
    trend: [
      { label: '第45周', new: 2, closed: 1 },
      { label: '第46周', new: 1, closed: 1 },
      { label: '第47周', new: 3, closed: 2 },
    ],
    ...overrides,
  };
}

const render = (s: BulletinSource): FeishuCardJson => renderFeishuCard(bulletinCard(buildBulletin(s)));
const bytes = (json: unknown) => new TextEncoder().encode(JSON.stringify(json)).length;
const byTag = (json: FeishuCardJson, tag: string) => json.body.elements.filter((e) => e.tag === tag);
const markdownText = (json: FeishuCardJson) => byTag(json, 'markdown').map((e) => String(e.content)).join('\n');

describe('bulletin card', () => {
  const json = render(source());
  const text = JSON.stringify(json);

  it('is valid Card JSON 2.0', () => {
    expect(checkFeishuCard(json)).toEqual([]);
  });

  it('is titled by the period, red while anything is overdue, with the headline first', () => {
    expect(json.header.title.content).toBe('督查通报 · 2026年第47周');
    expect(json.header.subtitle?.content).toBe('作风建设专项督查 · 11月16日—11月22日');
    expect(json.header.template).toBe('red');
    // 6/10 = 60.0%, last week 4/7 = 57.1% → +2.9
    expect(json.body.elements[0]).toEqual({
      tag: 'markdown',
      content: '本周新发现问题3个，销号2个，在办4个，其中逾期2个；累计整改完成率60.0%（较上周+2.9个百分点）。',
    });
  });

  it('shows the figures with last week beside them', () => {
    const kpi = String(json.body.elements[1]!.content);
    expect(kpi).toContain('**新发现**：3个（上周1个）');
    expect(kpi).toContain('**累计整改完成率**：60.0%（较上周+2.9个百分点）（6/10）');
  });

  it('has one table by department and one by category, with number columns', () => {
    const tables = byTag(json, 'table');
    expect(tables).toHaveLength(2);
    expect((tables[0]!.columns as { display_name: string; data_type: string }[]).map((c) => [c.display_name, c.data_type])).toEqual([
      ['科室', 'text'], ['新发现', 'number'], ['已销号', 'number'], ['在办', 'number'], ['逾期', 'number'],
    ]);
    expect(tables[0]!.rows).toEqual([
      { name: '急诊科', new: 2, closed: 0, open: 3, overdue: 2 },
      { name: '门诊部', new: 1, closed: 2, open: 1, overdue: 0 },
    ]);
    expect((tables[1]!.rows as { name: string }[]).map((r) => r.name)).toEqual(['服务态度', '服务环境']);
  });

  it('lists overdue items with the leader mentioned, and neutralises mentions typed into descriptions', () => {
    const md = markdownText(json);
    expect(md).toContain("1. 第5号 · 急诊科：分诊台态度生硬 <at id=ou_ji></at> <font color='red'>逾期4个工作日</font>");
    expect(md).toContain('2. 第9号 · 未指定科室：走廊堆放杂物 ＜@ou_fake＞ <at id=ou_zong></at>');
    expect(text).not.toContain('<at id=ou_fake>');
  });

  it('suggests repeat problems for 专项整治 and names 红榜 and 黑榜', () => {
    const md = markdownText(json);
    expect(md).toContain('**专项整治建议**');
    expect(md).toContain('- 急诊科 · 服务态度：90天内3次');
    expect(md).toContain("<font color='green'>红榜</font>：门诊部（销号2个）");
    expect(md).toContain("<font color='red'>黑榜</font>：急诊科（逾期2个，在办3个）");
  });

  it('draws the trend as a line chart of 新发现 and 已销号', () => {
    const [chart] = byTag(json, 'chart') as FeishuElement[];
    const spec = chart!.chart_spec as { type: string; title: { text: string }; data: { values: unknown[] } };
    expect(spec.type).toBe('line');
    expect(spec.title.text).toBe('近3周新发现与销号');
    expect(spec.data.values).toHaveLength(6);
    expect(spec.data.values.slice(0, 2)).toEqual([
      { x: '第45周', series: '新发现', y: 2 },
      { x: '第45周', series: '已销号', y: 1 },
    ]);
  });

  it('does not point to the ledger when nothing was left out', () => {
    expect(text).not.toContain(LEDGER_POINTER);
  });
});

describe('bulletin card: 督查开展', () => {
  const summary = { inspections: 6, clean: 2, problems: 5, activeDepartments: 20, coveredDepartments: 2, uncovered: Array.from({ length: 18 }, (_, i) => `科室${String(i + 1).padStart(2, '0')}`) };

  it('says how much was inspected, and names the departments nobody inspected (fifteen, then how many)', () => {
    const text = markdownText(render(source({ inspections: summary })));
    expect(text).toContain('**督查开展**\n本周督查6次（其中未发现问题2次），覆盖科室2/20个。');
    expect(text).toContain('未督查：科室01、科室02、科室03、科室04、科室05、科室06、科室07、科室08、科室09、科室10、科室11、科室12、科室13、科室14、科室15等18个（发送「督查情况」查看详情）');
  });

  it('marks a period without any inspection in red, and leaves out what it cannot say', () => {
    const none = markdownText(render(source({ kind: 'monthly', periodStart: '2026-10-01', periodEnd: '2026-10-31', inspections: { ...summary, inspections: 0, clean: 0, problems: 0, coveredDepartments: 0, uncovered: ['急诊科'] } })));
    expect(none).toContain("**督查开展**\n<font color='red'>本月没有督查记录</font>，覆盖科室0/20个。");
    expect(none).not.toContain('未督查：');
    const noDepartments = markdownText(render(source({ inspections: { ...summary, activeDepartments: 0, coveredDepartments: 0, uncovered: [] } })));
    expect(noDepartments).toContain('**督查开展**\n本周督查6次（其中未发现问题2次）。');
    expect(markdownText(render(source()))).not.toContain('督查开展');
  });
});

describe('bulletin card edge cases', () => {
  it('stays valid and under 30 KB for 500 departments, 200 overdue items, 50 repeats and 26 weeks', () => {
    const longName = (i: number) => `心血管内科第${i}病区（含导管室、监护室及日间手术中心联合管理单元）`;
    const big = source({
      campaignName: '二〇二六年度作风建设暨服务找茬专项督查整改工作'.repeat(3),
      byDepartment: Array.from({ length: 500 }, (_, i) => row(longName(i), i % 7, i % 5, (i % 11) + 1, i % 3)),
      byCategory: Array.from({ length: 60 }, (_, i) => row(`类别${i}${'很长的类别名称'.repeat(5)}`, 1, 1, 1, 1)),
      overdue: Array.from({ length: 200 }, (_, i) => ({
        findingNumber: i + 1,
        departmentName: longName(i),
        description: '问题描述'.repeat(250),
        leaderUserId: `ou_${'a'.repeat(32)}${i}`,
        overdueDays: 200 - i,
      })),
      repeats: Array.from({ length: 50 }, (_, i) => ({ departmentName: longName(i), category: '服务态度'.repeat(10), count: 3 + i })),
      trend: Array.from({ length: 26 }, (_, i) => ({ label: `2026年第${i + 22}周`, new: 100 + i, closed: 90 + i })),
      inspections: { inspections: 900, clean: 300, problems: 1200, activeDepartments: 500, coveredDepartments: 20, uncovered: Array.from({ length: 480 }, (_, i) => longName(i)) },
    });
    const json = render(big);
    expect(checkFeishuCard(json)).toEqual([]);
    expect(bytes(json)).toBeLessThan(30 * 1024);
    const text = JSON.stringify(json);
    expect(text).toContain(LEDGER_POINTER);
    expect(text).toContain('另有490个科室未列出');
    expect(text).toContain('另有190个逾期问题');
    expect(text).toContain(`<at id=ou_${'a'.repeat(32)}0></at>`);
    expect(byTag(json, 'table').map((t) => (t.rows as unknown[]).length)).toEqual([10, 10]);
  });

  it('says so plainly when the period has nothing at all', () => {
    const json = render(source({ current: zero, previous: zero, byDepartment: [], byCategory: [], overdue: [], repeats: [], trend: [] }));
    expect(checkFeishuCard(json)).toEqual([]);
    expect(json.header.template).toBe('blue');
    expect(json.header).not.toHaveProperty('text_tag_list');
    expect(byTag(json, 'table')).toEqual([]);
    expect(byTag(json, 'chart')).toEqual([]);
    const md = markdownText(json);
    expect(md).toContain('尚无登记问题，暂无整改完成率');
    expect(md).toContain('**按科室**\n本期无数据');
    expect(md).toContain('红榜</font>：暂无');
  });

  it('turns green once everything filed is closed', () => {
    const done = source({ current: { new: 0, closed: 2, open: 0, overdue: 0, totalEver: 10, closedEver: 10 }, overdue: [], byDepartment: [row('门诊部', 0, 2, 0, 0)] });
    const json = render(done);
    expect(json.header.template).toBe('green');
    expect(checkFeishuCard(json)).toEqual([]);
  });

  it('labels a monthly bulletin by its month and its trend in months', () => {
    const json = render(source({ kind: 'monthly', periodStart: '2026-11-01', periodEnd: '2026-11-30' }));
    expect(json.header.title.content).toBe('督查通报 · 2026年11月');
    const [chart] = byTag(json, 'chart');
    expect((chart!.chart_spec as { title: { text: string } }).title.text).toBe('近3个月新发现与销号');
  });
});
