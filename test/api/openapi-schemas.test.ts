// The OpenAPI request bodies say what the API checks: a JSON Schema validator over the served
// document's schemas refuses what the API refuses (zod and the SOP lint) and accepts what it accepts.
import Ajv2020 from 'ajv/dist/2020';
import { actionSchema, checkSop, openDealSchema } from '../../domain';
import { boardRoutes } from '../../api/board-routes';
import { openApiDocument } from '../../api/openapi';
import { routes } from '../../api/routes';
import { dealBody, quickSop } from '../helpers/service';

// The route objects only close over their services; none is called here.
const doc = openApiDocument([...routes({ deals: {} as never, sops: {} as never }), ...boardRoutes({} as never)]) as {
  components: { schemas: Record<string, unknown> };
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'openapi', components: doc.components });

/** The schema the document gives an operation's JSON body. */
function documented(method: string, path: string) {
  const ref = doc.paths[path][method].requestBody?.content['application/json'].schema.$ref;
  return ajv.compile({ $ref: `openapi${ref}` });
}

const api = {
  deal: (body: unknown) => openDealSchema.safeParse(body).success,
  action: (body: unknown) => actionSchema.safeParse(body).success,
  sop: (body: unknown) => checkSop(body).ok,
};

type Case = [string, unknown, boolean];
const sop = quickSop('doc-sop');
const stage = (sop.stages as Record<string, unknown>[])[0];
const withStage = (changes: Record<string, unknown>) => ({
  ...sop,
  stages: [{ ...stage, ...changes }, ...(sop.stages as unknown[]).slice(1)],
});

describe.each<[string, string, (body: unknown) => boolean, Case[]]>([
  [
    'post',
    '/v1/deals',
    api.deal,
    [
      ['a valid deal', dealBody('acme-1'), true],
      [
        'a valid deal with team and attributes',
        dealBody('acme-2', { team: { manager: 'mia' }, attributes: { region: 'east', n: 1 } }),
        true,
      ],
      ['an unknown field', { ...dealBody('acme-3'), status: 'won' }, false],
      ['a bad dealId', dealBody('bad id!'), false],
      ['an unknown customer field', dealBody('acme-4', { customer: { name: 'A', tier: 'A', vip: true } }), false],
      ['a tier outside A B C', dealBody('acme-5', { customer: { name: 'A', tier: 'Z' } }), false],
      ['a lower-case currency', dealBody('acme-6', { currency: 'cny' }), false],
      ['21 team roles', dealBody('acme-7', { team: Object.fromEntries([...Array(21).keys()].map((i) => [`role-${i}`, 'mia'])) }), false],
      ['51 attributes', dealBody('acme-8', { attributes: Object.fromEntries([...Array(51).keys()].map((i) => [`a${i}`, i])) }), false],
    ],
  ],
  [
    'post',
    '/v1/deals/{dealId}/actions',
    api.action,
    [
      ['a valid action', { type: 'log_activity', kind: 'call', note: 'hi' }, true],
      ['a valid update', { type: 'update_deal', amount: 5 }, true],
      ['an unknown field', { type: 'log_activity', kind: 'call', status: 'won' }, false],
      ['an unknown type', { type: 'teleport' }, false],
      ['a bad requestId', { type: 'open_request', requestId: 'bad id!' }, false],
      ['a bad stage id', { type: 'complete_stage', stage: 'Requirements' }, false],
      ['an update that changes nothing', { type: 'update_deal' }, false],
      ['a field of another type', { type: 'pause', reason: 'x', stage: 'requirements' }, false],
    ],
  ],
  [
    'post',
    '/v1/sops',
    api.sop,
    [
      ['a valid SOP', sop, true],
      ['an SOP in a named time zone', { ...sop, calendar: { timezone: 'Asia/Shanghai' } }, true],
      ['an unknown field', { ...sop, owner: 'x' }, false],
      ['a bad SOP id', { ...sop, id: 'Doc SOP' }, false],
      ['a bad stage id', withStage({ id: 'Requirements' }), false],
      ['an unknown stage field', withStage({ colour: 'red' }), false],
      ['an unknown time zone', { ...sop, calendar: { timezone: 'Mars/Olympus' } }, false],
      ['empty workdays', { ...sop, calendar: { workdays: [] } }, false],
      ['a workday twice', { ...sop, calendar: { workdays: [1, 1] } }, false],
      ['a zero duration', withStage({ sla: { breachAfter: '0h' } }), false],
      ['a duration over 100 years', withStage({ sla: { breachAfter: '6000w' } }), false],
      ['a long duration within 100 years', withStage({ sla: { breachAfter: '36500d' } }), true],
      ['a deliverable twice', withStage({ deliverables: ['doc', 'doc'] }), false],
      ['a rule on an unknown field', withStage({ skipWhen: { field: 'colour', op: 'eq', value: 'red' } }), false],
      [
        'a rule on an attribute',
        {
          ...sop,
          stages: [...(sop.stages as unknown[]), { id: 'x', name: 'X', skipWhen: { field: 'attributes.region', op: 'eq', value: 'e' } }],
        },
        true,
      ],
      [
        'every stage with a skipWhen',
        { ...sop, stages: [{ id: 'only', name: 'Only', skipWhen: { field: 'amount', op: 'gt', value: 1 } }] },
        false,
      ],
    ],
  ],
])('%s %s: the documented body schema and the API agree', (method, path, accepts, cases) => {
  const validate = documented(method, path);
  test.each(cases)('%s', (_name, body, valid) => {
    expect({ documented: validate(body), api: accepts(body) }).toEqual({ documented: valid, api: valid });
  });
});
