import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflows } from '../../helpers/temporal';
import type { AlertReceiver } from './alert-receiver';

/** Stage SLA offsets of `faultSop`, in ms from stage entry. */
export const WARN_MS = 3_000;
export const BREACH_MS = 6_000;
export const ESCALATE_MS = 8_000;

/** A first stage with SLAs of seconds and one escalation, then a stage without SLA. */
export function faultSop(id = 'fault-sop'): Record<string, unknown> {
  return {
    id,
    version: 1,
    name: 'Fault SOP',
    requestSla: { breachAfter: '1h' },
    stages: [
      {
        id: 'requirements',
        name: 'Requirements confirmed',
        deliverables: ['doc'],
        sla: { warnAfter: '3s', breachAfter: '6s' },
        escalations: [{ after: '8s', notify: ['manager'] }],
      },
      { id: 'contract', name: 'Contract signed', deliverables: ['contract'] },
    ],
  };
}

export function dealBody(dealId: string, sopId = 'fault-sop'): Record<string, unknown> {
  return { dealId, sopId, customer: { name: 'ACME', tier: 'B' }, amount: 1000, currency: 'CNY', owner: 'alice', team: { manager: 'mia' } };
}

interface Visit {
  stage: string;
  enteredAt: string;
  completedAt: string | null;
}

/**
 * The alerts (type and level) a deal must have fired by now: each of the first stage's deadlines
 * that fell at least `slackMs` before the visit ended (or before `now` for the current visit).
 */
export function dueAlerts(deal: any, now: number, slackMs = 1_500): string[] {
  const visits: Visit[] = [...deal.history];
  if (deal.stage) visits.push({ stage: deal.stage.id, enteredAt: deal.stage.enteredAt, completedAt: null });
  const due: string[] = [];
  for (const visit of visits.filter((v) => v.stage === 'requirements')) {
    const entered = Date.parse(visit.enteredAt);
    const end = visit.completedAt ? Date.parse(visit.completedAt) : now;
    const alerts: Array<[string, number]> = [
      ['deal.sla.warning', WARN_MS],
      ['deal.sla.breached', BREACH_MS],
      ['deal.escalated', ESCALATE_MS],
    ];
    for (const [type, offset] of alerts) if (entered + offset < end - slackMs) due.push(type);
  }
  return due;
}

export interface DeliveryReport {
  alerts: number;
  missing: string[];
  undelivered: string[];
  repeats: number;
  unsigned: number;
}

/**
 * Every due alert of every deal recorded on the deal, every recorded alert delivered (2xx) to the
 * receiver under its id, and how many ids the receiver got more than once.
 */
export function deliveryReport(deals: readonly any[], receiver: AlertReceiver, now: number): DeliveryReport {
  const delivered = receiver.deliveredIds();
  const report: DeliveryReport = { alerts: 0, missing: [], undelivered: [], repeats: 0, unsigned: 0 };
  for (const deal of deals) {
    const fired: string[] = deal.escalations.map((e: any) => e.type);
    for (const type of dueAlerts(deal, now)) if (!fired.includes(type)) report.missing.push(`${deal.dealId} ${type}`);
    for (const alert of deal.escalations) {
      report.alerts += 1;
      if (!delivered.has(alert.id) || alert.delivery !== 'delivered') report.undelivered.push(`${alert.id} (${alert.delivery})`);
    }
  }
  for (const count of delivered.values()) if (count > 1) report.repeats += count - 1;
  report.unsigned = receiver.requests.filter((r) => !r.signatureValid).length;
  return report;
}

/** Every deal's history, fetched from the server and replayed through today's workflow code. */
export async function replayDeals(address: string, dealIds: readonly string[]): Promise<{ replayed: number; failures: string[] }> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }> = [];
    for (const dealId of dealIds) {
      const workflowId = `deal:${dealId}`;
      histories.push({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() });
    }
    const bundle = await bundleWorkflows();
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    return { replayed, failures };
  } finally {
    await connection.close();
  }
}
