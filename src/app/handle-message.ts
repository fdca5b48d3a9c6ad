// Routes a chat message: photos are kept, text is read as a command.
import { helpCard } from '../../cards/notices.js';
import { intakeCategories, intakeForm } from '../../cards/intake-form.js';
import { parseCommand } from '../domain/commands.js';
import type { Campaign, Tenant } from '../domain/model.js';
import { mayActInTenant } from '../domain/permissions.js';
import { parseIntakeText, readNothingFound } from '../domain/intake-text.js';
import { bindGroup, changeRole, listCampaigns, listDepartments, listRoles, renameDepartment, retireDepartment, upsertDepartment } from './admin-commands.js';
import { attachImages } from './attach-images.js';
import { recordVisit, undoVisit } from './record-visit.js';
import { listTeams, retireTeam, setTeam } from './team-commands.js';
import { endedCampaignRefusal, endOrResumeCampaign } from './campaign-lifecycle.js';
import { actorFor, campaignOfChat, today } from './context.js';
import type { InboundMention, InboundMessage } from './inbound.js';
import { previewHandOver } from './hand-over.js';
import { importFromChat } from './import-chat.js';
import { sendAssessment } from './assessment.js';
import { overdueList } from './overdue-list.js';
import { inspectionReport } from './inspection-report.js';
import { sendLedger, sendProgress } from './ledger.js';
import { myTasks } from './my-tasks.js';
import { searchFindings } from './search-findings.js';
import { showFinding, showFindingHistory } from './show-finding.js';
import { drawBulletin } from './run-bulletin.js';
import { askedBulletinPeriod, type BulletinAsk } from '../domain/schedule.js';
import { replyTarget, sendCopyOps, sendOps, textOps } from './outgoing.js';
import type { Outcome } from './outcome.js';
import type { Deps } from './ports.js';
import type { WriteOp } from './store-port.js';

async function botId(deps: Deps, tenant: Tenant): Promise<string | null> {
  try {
    return (await (await deps.platforms.clientFor(tenant))?.botUserId()) ?? null;
  } catch (error) {
    deps.log.warn('bot id unavailable', { error: String(error) });
    return null;
  }
}

function withMembers(outcome: Outcome, deps: Deps, tenant: Tenant, msg: InboundMessage, people: InboundMention[]): Outcome {
  const at = deps.clock.now();
  const known: WriteOp[] = [
    { op: 'upsertMember', member: { tenantId: tenant.id, userId: msg.senderUserId, name: msg.senderName ?? null }, at },
    ...people.map((p): WriteOp => ({ op: 'upsertMember', member: { tenantId: tenant.id, userId: p.userId, name: p.name }, at })),
  ];
  return { ops: [...known, ...outcome.ops], reply: outcome.reply };
}

export async function handleMessage(deps: Deps, tenant: Tenant, everyday: Campaign, msg: InboundMessage): Promise<Outcome> {
  // a group bound to a 专项 files, imports and reports into it; everything else is everyday work.
  // Asked only by what needs it: the bot may see every message of a group.
  const campaignHere = () => (msg.chatType === 'group' ? campaignOfChat(deps, tenant, everyday, msg.chatId) : Promise.resolve(everyday));
  const bot = msg.botUserId ?? (await botId(deps, tenant));
  const botMention = msg.mentions.find((m) => m.userId === bot) ?? null;
  const people = msg.mentions.filter((m) => m.userId !== bot);
  if (msg.imageKeys.length > 0) return withMembers(await attachImages(deps, tenant, msg), deps, tenant, msg, people);
  if (msg.files.length > 0) return withMembers(await importFromChat(deps, tenant, await campaignHere(), msg), deps, tenant, msg, people);

  // a nameless bot mention (DingTalk) has already been taken out of the text by the platform
  const text = (botMention?.name ? msg.text.split(`@${botMention.name}`).join(' ') : msg.text).trim();
  const addressed = msg.chatType === 'p2p' || botMention !== null;
  if (!text && !botMention) return { ops: [], reply: null }; // stickers, files, a bare image-less post
  const command = parseCommand(text);
  // In a group the bot may see every message (with the group-message scope); it answers only when
  // called by name or by a command word, never to ordinary chatter.
  if (!addressed && command.name === 'unknown') return { ops: [], reply: null };
  // 「12号」 in chatter is a day of the month more often than a question about a finding
  if (!addressed && command.name === 'show_finding' && command.onlyWhenAddressed) return { ops: [], reply: null };
  // 「查询一下明天的排班」 in a group is chatter, not a search of findings
  if (!addressed && command.name === 'search') return { ops: [], reply: null };
  // 「督查组 下午到 @张三」 in a group is chatter about a visit, not the setting up of a group
  if (!addressed && command.name === 'team_set') return { ops: [], reply: null };
  // 「台账有没有更新」 is chatter about the ledger, not a request for a campaign's
  if (!addressed && (command.name === 'ledger' || command.name === 'progress' || command.name === 'assessment') && command.campaignName) return { ops: [], reply: null };

  let outcome: Outcome;
  switch (command.name) {
    case 'intake':
      outcome = await openIntake(deps, tenant, await campaignHere(), msg, command.rest, people, bot);
      break;
    case 'bind_group':
      outcome = await bindGroup(deps, tenant, everyday, msg, command);
      break;
    case 'my_tasks':
      outcome = await myTasks(deps, tenant, msg);
      break;
    case 'overdue':
      outcome = await overdueList(deps, tenant, everyday, msg);
      break;
    case 'visit_undo':
      outcome = await undoVisit(deps, tenant, await campaignHere(), msg, command.text);
      break;
    case 'inspections':
      outcome = await inspectionReport(deps, tenant, everyday, msg, command.ask);
      break;
    case 'campaigns':
      outcome = await listCampaigns(deps, tenant, msg);
      break;
    case 'campaign_end':
    case 'campaign_resume':
      outcome = await endOrResumeCampaign(deps, tenant, everyday, msg, command.name === 'campaign_end', command.campaignName);
      break;
    case 'departments':
      outcome = await listDepartments(deps, tenant, msg);
      break;
    case 'department_upsert':
      outcome = await upsertDepartment(deps, tenant, msg, command.departmentName, people);
      break;
    case 'department_rename':
      outcome = await renameDepartment(deps, tenant, msg, command.from, command.to);
      break;
    case 'department_retire':
      outcome = await retireDepartment(deps, tenant, msg, command.departmentName, command.retire);
      break;
    case 'roles':
      outcome = await listRoles(deps, tenant, msg);
      break;
    case 'grant':
    case 'revoke':
      outcome = await changeRole(deps, tenant, msg, command.name === 'grant', command.role, people);
      break;
    case 'teams':
      outcome = await listTeams(deps, tenant, msg);
      break;
    case 'team_set':
      outcome = await setTeam(deps, tenant, msg, command.teamName, people);
      break;
    case 'team_retire':
      outcome = await retireTeam(deps, tenant, msg, command.teamName);
      break;
    case 'show_finding':
      outcome = await showFinding(deps, tenant, msg, command.number);
      break;
    case 'search':
      outcome = await searchFindings(deps, tenant, msg, command.words);
      break;
    case 'finding_history':
      outcome = await showFindingHistory(deps, tenant, msg, command.number);
      break;
    case 'hand_over':
      outcome = await previewHandOver(deps, tenant, msg, people);
      break;
    case 'bulletin':
      outcome = await bulletinOnDemand(deps, tenant, await campaignHere(), msg, command.ask);
      break;
    case 'ledger':
      outcome = await sendLedger(deps, tenant, everyday, msg, command.campaignName);
      break;
    case 'progress':
      outcome = await sendProgress(deps, tenant, everyday, msg, command.campaignName);
      break;
    case 'assessment':
      outcome = await sendAssessment(deps, tenant, everyday, msg, command.year, command.campaignName);
      break;
    case 'help':
      outcome = { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: helpCard() }), reply: null };
      break;
    case 'unknown':
      outcome =
        msg.chatType === 'p2p'
          ? { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card: helpCard() }), reply: null }
          : { ops: textOps(deps, tenant, replyTarget(msg), '没有听懂。发送「督查」登记问题，「我的任务」查看待办，「帮助」查看全部用法。'), reply: null };
      break;
  }
  return withMembers(outcome, deps, tenant, msg, people);
}

/**
 * 通报 in the supervision group: this week's bulletin so far; 上周通报 / 月报 / 通报 10月 the one the
 * scheduled run sent (or would have) for that week or month, drawn again with today's open items;
 * 年度通报 / 通报 2025年 a year's (this one so far).
 */
async function bulletinOnDemand(deps: Deps, tenant: Tenant, campaign: Campaign, msg: InboundMessage, ask: BulletinAsk): Promise<Outcome> {
  const say = (text: string): Outcome => ({ ops: textOps(deps, tenant, replyTarget(msg), text), reply: null });
  const binding = msg.chatType === 'group' ? await deps.store.getChatBinding(tenant.id, msg.chatId) : null;
  if (!binding) return say('请在督查群中发送「通报」查看本周通报，「上周通报」「月报」「通报 10月」「年度通报」查看往期和全年通报。');
  const day = today(deps);
  const asked = askedBulletinPeriod(ask, day);
  if (!asked.ok) return say(asked.reason);
  const { kind, start, end } = asked.bulletin;
  // a past period's open and overdue figures are today's: the card says so
  const card = await drawBulletin(deps, tenant, campaign, kind, { start, end }, day, end < day ? { redrawnOn: day } : {});
  return { ops: sendOps(deps, tenant, replyTarget(msg), { kind: 'card', card }), reply: null };
}

async function openIntake(
  deps: Deps,
  tenant: Tenant,
  campaign: Campaign,
  msg: InboundMessage,
  rest: string,
  people: InboundMention[],
  bot: string | null,
): Promise<Outcome> {
  const actor = await actorFor(deps, tenant.id, msg.senderUserId);
  const binding = msg.chatType === 'group' ? await deps.store.getChatBinding(tenant.id, msg.chatId) : null;
  if (!mayActInTenant(actor.roles, 'file_finding') && !binding) {
    return {
      ops: textOps(deps, tenant, replyTarget(msg), '只有督查组成员可以登记问题：请在督查群中发送「督查」，或请管理员发送「授权 @您 督查组」。'),
      reply: null,
    };
  }
  if (campaign.endedOn) return { ops: textOps(deps, tenant, replyTarget(msg), endedCampaignRefusal(campaign)), reply: null };
  // a retired department (科室停用) takes no new finding
  const departments = (await deps.store.listDepartments(tenant.id)).filter((d) => !d.retiredOn);
  // a direct chat belongs to no 专项: its form lets the inspector choose (everyday work first; no 专项 that has ended)
  const campaignChoices =
    msg.chatType === 'p2p'
      ? (await deps.store.listCampaigns(tenant.id)).filter((c) => !c.endedOn).sort((a, b) => Number(b.isDefault) - Number(a.isDefault))
      : undefined;
  const categories = intakeCategories({ campaign, ...(campaignChoices ? { campaignChoices } : {}) });
  const prefill = parseIntakeText({ text: rest, mentions: people, botUserId: bot, categories, departments, today: today(deps) });
  const nothingFound = readNothingFound(prefill.description, prefill.departmentName);
  if (nothingFound) {
    const department = departments.find((d) => d.id === prefill.departmentId) ?? null;
    // a direct chat files into everyday work, as its form would by default
    return recordVisit(deps, tenant, campaign, msg, department, nothingFound, departments);
  }
  const windowStart = deps.clock.now() - deps.settings.photoWindowMinutes * 60_000;
  const photos = (await deps.store.listLooseAttachments(tenant.id, msg.chatId, msg.senderUserId)).filter((a) => a.createdAt >= windowStart);
  const card = intakeForm({ campaign, ...(campaignChoices ? { campaignChoices } : {}), departments, photoCount: photos.length, photoWindowMinutes: deps.settings.photoWindowMinutes, prefill });
  const { ops } = sendCopyOps(deps, tenant, { taskId: null, purpose: 'intake', viewerUserId: null, target: replyTarget(msg), chatId: msg.chatId, card });
  return { ops, reply: null };
}
