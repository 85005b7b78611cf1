import type { DealEvent } from './deal-events';
import type { RecordedDeal } from './recorded-deal';
import { reproduces, type BlockedAction, type SimulatedAlert, type Simulation } from './simulate';
import type { Sop } from './sop-schema';

/** One deal replayed both ways. */
export interface SimulatedDeal {
  readonly dealId: string;
  readonly recorded: RecordedDeal;
  readonly baseline: Simulation;
  readonly proposed: Simulation;
}

/** Alert counts and rates over stage visits: of the visits entered, the share that warned or breached. */
export interface SimulationTotals {
  readonly visits: number;
  readonly warnings: number;
  readonly breaches: number;
  readonly escalations: number;
  readonly requestWarnings: number;
  readonly requestBreaches: number;
  readonly blocked: number;
  readonly warningRate: number;
  readonly breachRate: number;
}

export interface SimulationReport {
  readonly sopId: string;
  readonly deals: number;
  readonly consistency: { readonly checked: number; readonly reproduced: number; readonly differences: string[] };
  readonly baseline: SimulationTotals;
  readonly proposed: SimulationTotals;
  readonly stages: Array<{ stage: string; baseline: SimulationTotals; proposed: SimulationTotals }>;
  readonly perDeal: Array<{
    dealId: string;
    baseline: { alerts: SimulatedAlert[] };
    proposed: { alerts: SimulatedAlert[]; blocked: BlockedAction[]; skipped: string[] };
  }>;
}

interface Tally {
  visits: number;
  warnings: number;
  breaches: number;
  escalations: number;
  requestWarnings: number;
  requestBreaches: number;
  blocked: number;
}
const emptyTally = (): Tally => ({
  visits: 0,
  warnings: 0,
  breaches: 0,
  escalations: 0,
  requestWarnings: 0,
  requestBreaches: 0,
  blocked: 0,
});

/** The stage an event counts against, and what it adds there. */
function count(event: DealEvent, stageOf: () => string | null, add: (stage: string | null, field: keyof Tally) => void): void {
  switch (event.type) {
    case 'stage_entered':
      return add(event.data.stage, 'visits');
    case 'sla_warning':
      return add(event.data.stage, 'warnings');
    case 'sla_breached':
      return add(event.data.stage, 'breaches');
    case 'escalation_fired':
      return add(event.data.stage, 'escalations');
    case 'request_warning':
      return add(stageOf(), 'requestWarnings');
    case 'request_breached':
      return add(stageOf(), 'requestBreaches');
  }
}

/** Tallies of one run of every deal: all stages together, and stage by stage. */
function tally(runs: readonly Simulation[]): { all: Tally; byStage: Map<string, Tally> } {
  const all = emptyTally();
  const byStage = new Map<string, Tally>();
  const add = (stage: string | null, field: keyof Tally): void => {
    all[field]++;
    if (stage === null) return;
    if (!byStage.has(stage)) byStage.set(stage, emptyTally());
    (byStage.get(stage) as Tally)[field]++;
  };
  for (const run of runs) {
    let current: string | null = null;
    for (const event of run.events) {
      count(event, () => current, add);
      if (event.type === 'stage_entered') current = event.data.stage;
    }
    for (const blocked of run.blocked) add(blocked.stage, 'blocked');
  }
  return { all, byStage };
}

const rate = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 1000);
const totals = (t: Tally): SimulationTotals => ({ ...t, warningRate: rate(t.warnings, t.visits), breachRate: rate(t.breaches, t.visits) });

/**
 * The what-if's answer: consistency of the baseline with what the deals really fired, totals of
 * both runs, the same per stage (the draft's stages in order, then stages only the deals' own
 * versions had), and each deal's alerts. Deals in `dealId` order, so the same runs give the same answer.
 */
export function simulationReport(draft: Sop, deals: readonly SimulatedDeal[]): SimulationReport {
  const sorted = [...deals].sort((a, b) => (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
  const differences = sorted.filter((deal) => !reproduces(deal.recorded, deal.baseline)).map((deal) => deal.dealId);
  const baseline = tally(sorted.map((deal) => deal.baseline));
  const proposed = tally(sorted.map((deal) => deal.proposed));
  const stageIds = [...new Set([...draft.stages.map((stage) => stage.id), ...baseline.byStage.keys(), ...proposed.byStage.keys()])];
  return {
    sopId: draft.id,
    deals: sorted.length,
    consistency: { checked: sorted.length, reproduced: sorted.length - differences.length, differences },
    baseline: totals(baseline.all),
    proposed: totals(proposed.all),
    stages: stageIds.map((stage) => ({
      stage,
      baseline: totals(baseline.byStage.get(stage) ?? emptyTally()),
      proposed: totals(proposed.byStage.get(stage) ?? emptyTally()),
    })),
    perDeal: sorted.map((deal) => ({
      dealId: deal.dealId,
      baseline: { alerts: deal.baseline.alerts },
      proposed: { alerts: deal.proposed.alerts, blocked: deal.proposed.blocked, skipped: deal.proposed.skipped },
    })),
  };
}
