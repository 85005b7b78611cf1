import { z } from 'zod';
import { ACTIVITY_KINDS, STAGE_ID } from './sop-schema';
import {
  amountSchema,
  attributesSchema,
  customerSchema,
  ITEM_ID,
  noteSchema,
  reasonSchema,
  subjectSchema,
  teamSchema,
} from './deal-schema';

const stageRef = z.string().regex(STAGE_ID, 'a stage id is lower-case letters, digits and dashes');
const itemId = z.string().regex(ITEM_ID, 'letters, digits and . _ -, at most 128');
const isoInstant = z.iso.datetime({ offset: true });

/** Every action a rep, manager or integration can take on a deal (`POST /v1/deals/:id/actions`). */
export const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('submit_deliverable'),
    stage: stageRef,
    deliverable: stageRef,
    ref: z.string().max(2000).optional(),
  }),
  z.strictObject({ type: z.literal('complete_stage'), stage: stageRef, note: noteSchema.optional() }),
  z.strictObject({ type: z.literal('log_activity'), kind: z.enum(ACTIVITY_KINDS), note: noteSchema.optional() }),
  z.strictObject({ type: z.literal('open_request'), requestId: itemId, summary: noteSchema.optional() }),
  z.strictObject({ type: z.literal('answer_request'), requestId: itemId, note: noteSchema.optional() }),
  z.strictObject({ type: z.literal('request_revision'), stage: stageRef, reason: reasonSchema }),
  z.strictObject({ type: z.literal('pause'), reason: reasonSchema }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('reassign'), owner: subjectSchema }),
  z
    .strictObject({
      type: z.literal('update_deal'),
      amount: amountSchema.optional(),
      customer: customerSchema.partial().strict().optional(),
      team: teamSchema.optional(),
      attributes: attributesSchema.optional(),
    })
    .refine(
      (update) => Object.keys(update).some((key) => key !== 'type'),
      'update_deal needs at least one of amount, customer, team, attributes',
    ),
  z.strictObject({
    type: z.literal('raise_risk'),
    riskId: itemId,
    summary: reasonSchema,
    owner: subjectSchema.optional(),
    dueBy: isoInstant.optional(),
    /** A key of the SOP's `riskPlaybooks`: its steps become the risk's tasks. */
    playbook: stageRef.optional(),
  }),
  z.strictObject({ type: z.literal('complete_task'), riskId: itemId, taskId: stageRef, note: noteSchema.optional() }),
  /** The cause of a delay, when a yellow stage asks for one (`onYellow`). */
  z.strictObject({ type: z.literal('explain_delay'), cause: reasonSchema }),
  /** A remediation plan, when a red stage asks for one (`onRed`). */
  z.strictObject({
    type: z.literal('submit_plan'),
    summary: reasonSchema,
    owner: subjectSchema.optional(),
    dueBy: isoInstant.optional(),
  }),
  z.strictObject({ type: z.literal('resolve_risk'), riskId: itemId, note: noteSchema.optional() }),
  z.strictObject({ type: z.literal('mark_lost'), reason: reasonSchema }),
  z.strictObject({ type: z.literal('move_to_stage'), stage: stageRef, reason: reasonSchema }),
  z.strictObject({ type: z.literal('reopen'), reason: reasonSchema }),
]);
export type Action = z.infer<typeof actionSchema>;
export type ActionType = Action['type'];
