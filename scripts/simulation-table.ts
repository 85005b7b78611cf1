// The what-if's answer as text for a terminal: consistency, then one row per stage comparing the
// deals' own versions (baseline) with the draft (proposed), then the deals that change most.

interface Totals {
  visits: number;
  warnings: number;
  breaches: number;
  escalations: number;
  blocked: number;
  warningRate: number;
  breachRate: number;
}

/** The fields of `POST /v1/sops/:id/simulations`'s answer this table reads. */
export interface SimulationAnswerText {
  sopId: string;
  deals: number;
  consistency: { checked: number; reproduced: number; differences: string[] };
  baseline: Totals;
  proposed: Totals;
  stages: Array<{ stage: string; baseline: Totals; proposed: Totals }>;
  perDeal: Array<{
    dealId: string;
    baseline: { alerts: unknown[] };
    proposed: { alerts: unknown[]; blocked: unknown[]; skipped: string[] };
  }>;
  unread?: Array<{ dealId: string; reason: string }>;
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;
const change = (before: string | number, after: string | number): string =>
  String(before) === String(after) ? String(after) : `${before} → ${after}`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '))
    .join('\n');
}

export function simulationTable(answer: SimulationAnswerText, mostChanged = 5): string {
  const row = (name: string, base: Totals, proposed: Totals): string[] => [
    name,
    String(proposed.visits),
    change(base.warnings, proposed.warnings),
    change(percent(base.warningRate), percent(proposed.warningRate)),
    change(base.breaches, proposed.breaches),
    change(percent(base.breachRate), percent(proposed.breachRate)),
    change(base.escalations, proposed.escalations),
    String(proposed.blocked),
  ];
  const { checked, reproduced, differences } = answer.consistency;
  const lines = [
    `What-if for SOP ${answer.sopId}: ${answer.deals} deals replayed, baseline → proposed.`,
    `Consistency: ${reproduced} of ${checked} deals replayed under their own versions fire exactly the alerts they fired${
      differences.length > 0 ? `; differ: ${differences.join(', ')}` : '.'
    }`,
    ...(answer.unread && answer.unread.length > 0 ? [`Not read (left out): ${answer.unread.map((deal) => deal.dealId).join(', ')}`] : []),
    '',
    table([
      ['stage', 'visits', 'warnings', 'warn rate', 'breaches', 'breach rate', 'escalations', 'blocked'],
      ...answer.stages.map((stage) => row(stage.stage, stage.baseline, stage.proposed)),
      row('all stages', answer.baseline, answer.proposed),
    ]),
  ];
  const changed = answer.perDeal
    .map((deal) => ({
      dealId: deal.dealId,
      before: deal.baseline.alerts.length,
      after: deal.proposed.alerts.length,
      blocked: deal.proposed.blocked.length,
    }))
    .filter((deal) => deal.before !== deal.after || deal.blocked > 0)
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || b.blocked - a.blocked)
    .slice(0, mostChanged);
  if (changed.length > 0) {
    lines.push(
      '',
      'Deals that change most:',
      table([
        ['deal', 'alerts', 'blocked'],
        ...changed.map((deal) => [deal.dealId, change(deal.before, deal.after), String(deal.blocked)]),
      ]),
    );
  }
  return lines.join('\n');
}
