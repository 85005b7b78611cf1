import * as dingtalk from './dingtalk';
import * as feishu from './feishu';
import * as pagerduty from './pagerduty';
import type { CheckRequest, CheckResult, FormatName } from './received';
import * as slack from './slack';
import * as standard from './standard';
import * as teams from './teams';
import * as wecom from './wecom';

/** Every format's receiver: its settings, the path and query of its endpoint URL, and its check. */

export interface SettingsByFormat {
  standard: standard.StandardSettings;
  wecom: wecom.WecomSettings;
  feishu: feishu.FeishuSettings;
  dingtalk: dingtalk.DingtalkSettings;
  slack: slack.SlackSettings;
  teams: teams.TeamsSettings;
  pagerduty: pagerduty.PagerdutySettings;
}

export interface ReceiverFormat<S> {
  /** The tool, in words. */
  readonly tool: string;
  /** Settings with what was not given generated. */
  readonly defaults: (given: Partial<S>) => S;
  /** The endpoint URL's path and query. */
  readonly endpointPath: (settings: S) => string;
  /** `earlier`: the instants of the messages accepted before, for the tool's rate limits. */
  readonly check: (request: CheckRequest, settings: S, nowMs: number, earlier: readonly number[]) => CheckResult;
}

export const RECEIVER_FORMATS: { readonly [F in FormatName]: ReceiverFormat<SettingsByFormat[F]> } = {
  standard: { tool: 'Standard Webhooks consumer', ...standard },
  wecom: { tool: 'WeCom (企业微信) group robot', ...wecom },
  feishu: { tool: 'Feishu / Lark custom bot', ...feishu },
  dingtalk: { tool: 'DingTalk (钉钉) custom robot', ...dingtalk },
  slack: { tool: 'Slack incoming webhook', ...slack },
  teams: { tool: 'Microsoft Teams Workflows webhook', ...teams },
  pagerduty: { tool: 'PagerDuty Events API v2', ...pagerduty },
};

export function isFormatName(value: string): value is FormatName {
  return Object.hasOwn(RECEIVER_FORMATS, value);
}
