import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Sop } from '../domain/sop-schema';
import { canonicalJson } from '../domain/stable-id';
import { validation } from './lazy-validation';
import { getSopQuery, listSopsQuery, listSopVersionsQuery, publishSopUpdate, type PublishResult, type SopProblems } from './messages';

export const SOP_REJECTED_FAILURE = 'SopRejected';

/** Published SOPs by id, then by version. Versions are immutable once published. */
export type SopCatalogue = Record<string, Record<string, Sop>>;

type PublishCheck = { sop: Sop; existing: Sop | undefined } | SopProblems;

function check(catalogue: SopCatalogue, input: unknown): PublishCheck {
  const checked = validation().checkSop(input);
  if (!checked.ok) return { code: 'validation_failed', problems: checked.problems };
  const existing = catalogue[checked.sop.id]?.[String(checked.sop.version)];
  if (existing && canonicalJson(existing) !== canonicalJson(checked.sop)) {
    return {
      code: 'sop_version_conflict',
      problems: [
        {
          path: 'version',
          message: `${checked.sop.id} v${checked.sop.version} is already published with different content; publish it as version ${latestVersion(catalogue, checked.sop.id) + 1}`,
        },
      ],
    };
  }
  return { sop: checked.sop, existing };
}

function latestVersion(catalogue: SopCatalogue, id: string): number {
  return Math.max(0, ...Object.keys(catalogue[id] ?? {}).map(Number));
}

function latest(catalogue: SopCatalogue, id: string): Sop | null {
  const version = latestVersion(catalogue, id);
  return version > 0 ? catalogue[id][String(version)] : null;
}

/**
 * The SOP registry: one long-lived workflow, so published definitions live durably in Temporal
 * itself. `publish` lints and refuses changed content for a published version; republishing the
 * same content is a no-op.
 */
export async function sopRegistryWorkflow(carried: SopCatalogue = {}): Promise<void> {
  const catalogue: SopCatalogue = { ...carried };
  let changes = 0;
  setHandler(
    publishSopUpdate,
    (input): PublishResult => {
      const result = check(catalogue, input);
      if ('code' in result)
        throw ApplicationFailure.create({ type: SOP_REJECTED_FAILURE, message: result.problems[0].message, details: [result] });
      if (result.existing) return { id: result.sop.id, version: result.sop.version, created: false };
      catalogue[result.sop.id] = { ...catalogue[result.sop.id], [String(result.sop.version)]: result.sop };
      changes++;
      return { id: result.sop.id, version: result.sop.version, created: true };
    },
    {
      validator: (input) => {
        const result = check(catalogue, input);
        if ('code' in result)
          throw ApplicationFailure.create({ type: SOP_REJECTED_FAILURE, message: result.problems[0].message, details: [result] });
      },
    },
  );
  setHandler(getSopQuery, (id, version) => (version === undefined ? latest(catalogue, id) : (catalogue[id]?.[String(version)] ?? null)));
  setHandler(listSopVersionsQuery, (id) =>
    Object.keys(catalogue[id] ?? {})
      .map(Number)
      .sort((a, b) => a - b),
  );
  setHandler(listSopsQuery, () =>
    Object.keys(catalogue)
      .sort()
      .map((id) => latest(catalogue, id) as Sop),
  );

  const seen = changes;
  await condition(() => workflowInfo().continueAsNewSuggested || changes - seen >= 500);
  await condition(allHandlersFinished);
  await continueAsNew<typeof sopRegistryWorkflow>(catalogue);
}
