import type { RateWindow } from '../../domain/delivery-log';
import { dingtalk } from './dingtalk';
import { feishu } from './feishu';
import type { AlertFormat, FormatName } from './format';
import { pagerduty } from './pagerduty';
import { slack } from './slack';
import { standard } from './standard';
import { teams } from './teams';
import { wecom } from './wecom';

export type { AlertFormat, AnswerReading, FormatContext, FormatEndpoint, FormatName, Notice, OutgoingRequest, PingPayload } from './format';
export { readStatus, readCodedAnswer, retryAfterMs, MAX_RETRY_AFTER_MS } from './http-answer';
export {
  chatMessage,
  mentionsOf,
  addressees,
  dealLink,
  eventWords,
  lateness,
  type ChatMessage,
  type ChatField,
  type Mention,
} from './message';

const FORMAT_OF: Readonly<Record<FormatName, AlertFormat>> = { standard, wecom, feishu, dingtalk, slack, teams, pagerduty };

/** The request builder and answer reader of an endpoint's format. */
export function formatOf(name: FormatName): AlertFormat {
  return FORMAT_OF[name];
}

const MINUTE = 60_000;

/**
 * Every limit each tool publishes per endpoint (robot, webhook, integration key), as sliding
 * windows; the throttle keeps to all of them. Sources are named in each format's file.
 */
export const RATE_WINDOWS: Readonly<Record<FormatName, readonly RateWindow[]>> = {
  // WeCom 群机器人配置说明: 20 messages a minute per robot.
  wecom: [{ count: 20, perMs: MINUTE }],
  // Feishu 自定义机器人使用指南: 100 a minute and 5 a second per bot.
  feishu: [
    { count: 5, perMs: 1000 },
    { count: 100, perMs: MINUTE },
  ],
  // DingTalk 自定义机器人: 20 a minute per robot (beyond that it is throttled for 10 minutes).
  dingtalk: [{ count: 20, perMs: MINUTE }],
  // Slack rate limits, posting messages: 1 a second (short bursts allowed).
  slack: [{ count: 1, perMs: 1000 }],
  // The Teams connector behind a Workflows webhook: 100 calls a minute per connection (the retired
  // Office 365 connectors' 4 a second … 100 an hour no longer apply to Workflows).
  teams: [{ count: 100, perMs: MINUTE }],
  // PagerDuty Events API v2: about 120 events a minute per integration key.
  pagerduty: [{ count: 120, perMs: MINUTE }],
  // Our own receivers: no published limit.
  standard: [],
};

/**
 * The windows an endpoint of this format keeps to (a fresh array, safe to hand to a workflow): each
 * a tenth longer than published, because messages sent at the window's edge reach the tool with
 * jitter, and one arriving a moment early would be refused.
 */
export function rateWindows(name: FormatName): RateWindow[] {
  return RATE_WINDOWS[name].map((window) => ({ count: window.count, perMs: Math.ceil(window.perMs * 1.1) }));
}

/**
 * Each tool's limit as one sliding window that keeps to all its published windows (`RATE_WINDOWS`):
 * Feishu's 5 a second and 100 a minute are both kept by 5 in any 3 s. Null: no limit.
 */
export const RATE_LIMITS: Readonly<Record<FormatName, RateWindow | null>> = {
  wecom: { count: 20, perMs: MINUTE },
  feishu: { count: 5, perMs: 3000 },
  dingtalk: { count: 20, perMs: MINUTE },
  slack: { count: 1, perMs: 1000 },
  teams: { count: 100, perMs: MINUTE },
  pagerduty: { count: 120, perMs: MINUTE },
  standard: null,
};
