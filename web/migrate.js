import { ApiError } from './api.js';
import { h } from './dom.js';
import { alertName } from './format.js';

/**
 * The SOP page's migration panel (admin, ops): map the stages the newest version lacks, see the dry
 * run deal by deal, start the migration and follow it (`CONTRACT.md` v2.1).
 */
export class MigrationPanel {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    /** @type {string} `id@version` the panel is built for */
    this.built = '';
    /** @type {string | null} */
    this.migrationId = null;
    /** @type {'running' | 'completed' | 'cancelled' | null} */
    this.status = null;
    this.progress = h('div', { class: 'migration-progress', role: 'status', 'aria-live': 'polite' });
    this.dryRun = h('div', { class: 'migration-dry-run' });
    this.message = h('p', { class: 'migration-message', role: 'alert' });
  }

  clear() {
    this.root.replaceChildren();
    this.built = '';
    this.migrationId = null;
    this.status = null;
  }

  /**
   * Builds the panel for the SOP's newest version, once; afterwards only the progress refreshes.
   * @param {import('./api.js').Api} api
   * @param {any} sop the newest version
   * @param {(version: number) => Promise<any | null>} version an older version of it
   */
  async show(api, sop, version) {
    const key = `${sop.id}@${sop.version}`;
    if (this.built !== key) {
      const { versions } = await api.get(`/v1/sops/${encodeURIComponent(sop.id)}/versions`);
      const older = [];
      for (const v of versions.filter((/** @type {number} */ v) => v < sop.version)) {
        const found = await version(v);
        if (found) older.push(found);
      }
      this.build(api, sop, older);
      this.built = key;
    }
    if (this.migrationId && this.status === 'running') await this.follow(api);
  }

  /**
   * @param {import('./api.js').Api} api
   * @param {any} sop
   * @param {any[]} older
   */
  build(api, sop, older) {
    this.migrationId = null;
    this.status = null;
    this.progress.replaceChildren();
    this.dryRun.replaceChildren();
    this.message.textContent = '';
    if (older.length === 0) {
      this.root.replaceChildren(h('p', { class: 'muted', text: `${sop.name} has only version ${sop.version}: no deal to move.` }));
      return;
    }
    const targetIds = new Set(sop.stages.map((/** @type {any} */ s) => s.id));
    const missing = [...new Set(older.flatMap((o) => o.stages.map((/** @type {any} */ s) => s.id)))].filter((id) => !targetIds.has(id));
    /** @type {Map<string, HTMLSelectElement>} */
    const selects = new Map();
    const rows = missing.map((id) => {
      const select = /** @type {HTMLSelectElement} */ (
        h(
          'select',
          { id: `map-${id}`, 'data-from': id },
          h('option', { value: '', text: 'no stage: refuse these deals' }),
          ...sop.stages.map((/** @type {any} */ s) => h('option', { value: s.id, text: s.name })),
        )
      );
      selects.set(id, select);
      return h('li', {}, h('label', { for: `map-${id}`, text: `Old stage “${id}” goes to ` }), select);
    });
    const body = () => {
      /** @type {Record<string, string>} */
      const stageMap = {};
      for (const [from, select] of selects) if (select.value) stageMap[from] = select.value;
      return { toVersion: sop.version, stageMap };
    };
    const path = `/v1/sops/${encodeURIComponent(sop.id)}/migrations`;
    const start = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', id: 'migrate-start', disabled: true, text: 'Migrate' }));
    const dry = h('button', {
      type: 'button',
      id: 'migrate-dry-run',
      class: 'secondary',
      text: 'Dry run',
      onclick: async () => {
        this.message.textContent = 'Asking each deal…';
        try {
          const result = await api.post(path, { ...body(), dryRun: true });
          this.message.textContent = '';
          this.renderDryRun(result);
          start.disabled = result.counts.migrate === 0;
          start.textContent = `Migrate ${result.counts.migrate} ${result.counts.migrate === 1 ? 'deal' : 'deals'} to v${sop.version}`;
        } catch (error) {
          this.message.textContent = problemText(error);
        }
      },
    });
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        const started = await api.post(path, body());
        this.migrationId = started.migrationId;
        this.status = 'running';
        this.message.textContent = '';
        await this.follow(api);
      } catch (error) {
        this.message.textContent = problemText(error);
        if (error instanceof ApiError && error.problem?.code === 'migration_running') {
          start.disabled = false;
        }
      }
    });
    for (const select of selects.values()) select.addEventListener('change', () => (start.disabled = true));
    this.root.replaceChildren(
      h('h2', { text: `Move open deals to ${sop.name} v${sop.version}` }),
      h(
        'p',
        { class: 'muted' },
        `Deals on v${older.map((o) => o.version).join(', v')} keep their stage visit; deadlines are recomputed from the new SLAs. `,
        'Run a dry run first: it shows what each deal would do, and changes nothing.',
      ),
      missing.length > 0
        ? h('ul', { class: 'stage-map', 'aria-label': 'Stages the new version does not have' }, ...rows)
        : h('p', { text: 'Every old stage exists in the new version.' }),
      h('div', { class: 'migration-buttons' }, dry, start),
      this.message,
      this.dryRun,
      this.progress,
    );
  }

  /** @param {any} result the dry run's answer */
  renderDryRun(result) {
    const rows = result.deals.map((/** @type {any} */ d) =>
      h(
        'tr',
        { 'data-deal': d.dealId, 'data-outcome': d.outcome },
        h('th', { scope: 'row', text: d.dealId }),
        h('td', { text: `v${d.fromVersion ?? '?'}` }),
        h('td', { text: d.fromStage ? `${d.fromStage} → ${d.toStage ?? '(none)'}` : '—' }),
        h('td', { class: 'fires', text: d.firesAtOnce.length ? d.firesAtOnce.map(alertName).join(', ') : '—' }),
        h('td', { class: 'missing', text: d.missingDeliverables.length ? d.missingDeliverables.join(', ') : '—' }),
        h('td', { text: d.reason ? `${d.outcome} (${d.reason})` : d.outcome }),
      ),
    );
    const { migrate, refuse, skip } = result.counts;
    this.dryRun.replaceChildren(
      h('p', { class: 'summary', text: `Dry run: ${migrate} to migrate, ${refuse} refused, ${skip} skipped.` }),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'dry-run' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Deal', 'From', 'Stage', 'Fires at once', 'Missing deliverables', 'Outcome'].map((text) =>
                h('th', { scope: 'col', text }),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }

  /** @param {import('./api.js').Api} api */
  async follow(api) {
    if (!this.migrationId) return;
    const id = this.migrationId;
    const status = await api.get(`/v1/migrations/${encodeURIComponent(id)}`);
    if (id !== this.migrationId) return;
    this.status = status.status;
    const { total, migrated, refused, skipped, pending } = status.counts;
    const done = total - pending;
    const cancel =
      status.status === 'running' &&
      h('button', {
        type: 'button',
        class: 'secondary',
        id: 'migrate-cancel',
        text: 'Cancel migration',
        onclick: async () => {
          try {
            await api.post(`/v1/migrations/${encodeURIComponent(id)}/cancel`);
            await this.follow(api);
          } catch (error) {
            this.message.textContent = problemText(error);
          }
        },
      });
    this.progress.replaceChildren(
      h('h3', { text: `Migration ${id}: ${status.status}` }),
      h('progress', { max: Math.max(total, 1), value: done, 'aria-label': 'Deals done' }),
      h('p', { class: 'counts', text: `${migrated} migrated, ${refused} refused, ${skipped} skipped, ${pending} pending of ${total}.` }),
      cancel || '',
    );
  }
}

/** @param {unknown} error */
function problemText(error) {
  if (!(error instanceof ApiError)) return `Failed: ${error instanceof Error ? error.message : String(error)}`;
  const problem = /** @type {any} */ (error.problem);
  const where = (problem?.errors ?? []).map((/** @type {any} */ e) => `${e.path}: ${e.message}`).join('; ');
  return `Refused (${error.status}${error.problem?.code ? ` ${error.problem.code}` : ''}): ${error.message}${where ? ` ${where}` : ''}`;
}
