import { addressed, checkSop, directorySchema, recipientsOf, type Directory, type Recipient } from '../../domain';
import { makeSop } from '../helpers/fixtures';
import { PureDeal } from '../helpers/pure-deal';

// The deal's owner is alice; its team has manager mia and director dora.
const directory: Directory = {
  alice: { name: 'Alice Wang', manager: 'mia', wecom: 'wang.alice', slack: 'U0ALICE' },
  mia: { name: 'Mia Chen', manager: 'ivan', wecom: 'chen.mia', email: 'mia@example.com' },
  ivan: { name: 'Ivan Li', manager: 'vera', wecom: 'li.ivan', feishu: 'ou_ivan', dingtalk: 'ivan01' },
  vera: { name: 'Vera Zhou' },
};

describe('notify paths up the line', () => {
  const state = new PureDeal(makeSop()).state;

  test('a role is its holder on the deal; a path starts from its holder, named in via, and is resolved later', () => {
    expect(recipientsOf(state, ['owner', 'manager', 'owner.manager', 'manager.manager', 'legal.manager'])).toEqual([
      { role: 'owner', subject: 'alice' },
      { role: 'manager', subject: 'mia' },
      { role: 'owner.manager', subject: null, via: ['alice'] },
      { role: 'manager.manager', subject: null, via: ['mia'] },
      { role: 'legal.manager', subject: null, via: [] },
    ]);
  });

  test('the directory climbs each path and adds names and chat ids to everyone resolved', () => {
    const resolved = addressed(recipientsOf(state, ['owner', 'owner.manager', 'manager.manager', 'manager.manager.manager']), directory);
    expect(resolved).toEqual<Recipient[]>([
      { role: 'owner', subject: 'alice', name: 'Alice Wang', wecom: 'wang.alice', slack: 'U0ALICE' },
      { role: 'owner.manager', subject: 'mia', via: ['alice'], name: 'Mia Chen', wecom: 'chen.mia', email: 'mia@example.com' },
      { role: 'manager.manager', subject: 'ivan', via: ['mia'], name: 'Ivan Li', wecom: 'li.ivan', feishu: 'ou_ivan', dingtalk: 'ivan01' },
      { role: 'manager.manager.manager', subject: 'vera', via: ['mia', 'ivan'], name: 'Vera Zhou' },
    ]);
  });

  test('a link missing in the directory, or a loop, resolves to subject null with the chain walked so far', () => {
    const looping: Directory = { mia: { manager: 'ivan' }, ivan: { manager: 'mia' } };
    const resolved = addressed(recipientsOf(state, ['director.manager', 'manager.manager.manager', 'legal.manager']), looping);
    expect(resolved).toEqual([
      { role: 'director.manager', subject: null, via: ['dora'] },
      { role: 'manager.manager.manager', subject: null, via: ['mia', 'ivan'] },
      { role: 'legal.manager', subject: null, via: [] },
    ]);
  });

  test('without a directory entry a role keeps only its subject: the v1 payload unchanged', () => {
    expect(addressed(recipientsOf(state, ['owner', 'manager']), {})).toEqual([
      { role: 'owner', subject: 'alice' },
      { role: 'manager', subject: 'mia' },
    ]);
  });

  test('a directory entry lends nothing from the prototype chain', () => {
    expect(addressed([{ role: 'owner', subject: 'constructor' }], {})).toEqual([{ role: 'owner', subject: 'constructor' }]);
  });

  test('lint accepts a role followed by .manager, and refuses any other segment with its path', () => {
    const base = makeSop({
      stages: [
        { id: 'solution', name: 'Solution' },
        { id: 'close', name: 'Close' },
      ],
    });
    const sop = (notify: string[]) => ({
      ...base,
      stages: [{ ...base.stages[0], escalations: [{ after: '1d', notify }] }, base.stages[1]],
    });
    expect(checkSop(sop(['owner.manager', 'manager.manager'])).ok).toBe(true);
    for (const bad of ['owner.boss', 'manager.', '.manager', 'Manager.manager', 'owner.manager.manager.manager.manager.manager.manager']) {
      const checked = checkSop(sop([bad]));
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.problems.map((p) => p.path)).toEqual(['stages.0.escalations.0.notify.0']);
    }
  });

  test('a PEOPLE_FILE entry takes only the known fields', () => {
    expect(directorySchema.safeParse({ alice: { name: 'Alice', manager: 'mia' } }).success).toBe(true);
    expect(directorySchema.safeParse({ alice: { boss: 'mia' } }).success).toBe(false);
    expect(directorySchema.safeParse({ 'bad subject!': {} }).success).toBe(false);
  });
});
