import type { IncidentAction } from './pagerduty';
import { stringAt } from './json';
import type { ReceivedMessage } from './received';

/** The incidents a PagerDuty service holds, from the events it accepted (Events API v2, "Alert and Incident Deduplication"). */

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  readonly dedupKey: string;
  status: IncidentStatus;
  /** Every event for this key, in the order they arrived. */
  readonly events: Array<{ readonly at: number; readonly action: IncidentAction; readonly summary?: string }>;
}

/**
 * What an accepted event does to the incidents: a trigger opens one (or re-opens a resolved one),
 * an acknowledge or resolve changes an open one and is ignored for a key with no open incident, as
 * PagerDuty does.
 */
export function recordIncident(incidents: Map<string, Incident>, message: ReceivedMessage): void {
  if (!message.incident) return;
  const { action, dedupKey } = message.incident;
  const existing = incidents.get(dedupKey);
  const summary = stringAt(message.body, 'payload', 'summary');
  const event = { at: message.at, action, ...(summary ? { summary } : {}) };
  if (action === 'trigger') {
    if (existing) {
      existing.events.push(event);
      if (existing.status === 'resolved') existing.status = 'triggered';
    } else incidents.set(dedupKey, { dedupKey, status: 'triggered', events: [event] });
    return;
  }
  if (!existing || existing.status === 'resolved') return;
  existing.events.push(event);
  existing.status = action === 'resolve' ? 'resolved' : 'acknowledged';
}
