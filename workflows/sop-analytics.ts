import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { emptyAnalytics, foldFacts, type SopAnalytics } from '../domain/analytics';
import { analyticsFigures, periodFigures } from '../domain/analytics-report';
import { validation } from './lazy-validation';
import { analyticsPeriodQuery, analyticsQuery, dealFactsSignal } from './messages';

export interface SopAnalyticsInput {
  readonly sopId: string;
  readonly carried?: SopAnalytics;
  /** Continue-as-new once history reaches this many events, if the server has not suggested it sooner. */
  readonly maxHistoryEvents?: number;
}

/**
 * The running totals of one SOP's deals, kept in Temporal itself: each deal signals its facts, the
 * API queries the figures. The totals are bounded in size, so the workflow carries them whole
 * through continue-as-new however many deals there are.
 */
export async function sopAnalyticsWorkflow(input: SopAnalyticsInput): Promise<void> {
  let analytics = input.carried ?? emptyAnalytics(input.sopId);
  setHandler(dealFactsSignal, (batch) => {
    // Anyone may signal: a malformed batch is logged and dropped, never allowed to fail the workflow.
    const parsed = validation().dealFactBatchSchema.safeParse(batch);
    if (!parsed.success || parsed.data.sopId !== input.sopId) {
      log.warn('Dropped a malformed deal fact batch', { sopId: input.sopId, issue: parsed.error?.issues[0]?.message ?? 'wrong SOP' });
      return;
    }
    analytics = foldFacts(analytics, parsed.data.facts);
  });
  setHandler(analyticsQuery, () => analyticsFigures(analytics));
  setHandler(analyticsPeriodQuery, (from, to) => {
    const valid = (at: unknown) => typeof at === 'string' && !Number.isNaN(Date.parse(at));
    if (!valid(from) || !valid(to)) throw new Error('analyticsPeriod takes two ISO instants');
    return periodFigures(analytics, new Date(from).toISOString(), new Date(to).toISOString());
  });

  const limit = input.maxHistoryEvents ?? 5_000;
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit);
  await condition(allHandlersFinished);
  await continueAsNew<typeof sopAnalyticsWorkflow>({ ...input, carried: analytics });
}
