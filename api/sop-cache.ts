import type { Sop } from '../domain';

/**
 * How long this API trusts the latest version it read before it reads it again (in the background:
 * the version it holds keeps answering meanwhile). A publish through this API forgets it at once.
 */
export const LATEST_SOP_TTL_MS = 1_000;
/** Past this age the latest version it read is not used at all: the next request reads it first. */
export const LATEST_SOP_MAX_AGE_MS = 30_000;
/** Published versions kept; beyond this the oldest read is dropped (each is read again on demand). */
const MAX_VERSIONS = 1_000;

/**
 * Published SOP versions as this API has read them from the registry. A published version never
 * changes (a conflicting publish is refused), so it is kept until space runs out; which version is
 * the latest can change, so that is read again once it is `LATEST_SOP_TTL_MS` old. Nothing
 * unpublished is kept.
 */
export class SopCache {
  private readonly versions = new Map<string, Sop>();
  private readonly latest = new Map<string, { version: number; readAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The version asked for, if held; `fresh` false when it was asked as the latest and is due to be read again. */
  get(id: string, version?: number): { sop: Sop; fresh: boolean } | undefined {
    if (version !== undefined) {
      const sop = this.versions.get(key(id, version));
      return sop && { sop, fresh: true };
    }
    const latest = this.latest.get(id);
    const age = latest ? this.now() - latest.readAt : Infinity;
    const sop = latest && age < LATEST_SOP_MAX_AGE_MS ? this.versions.get(key(id, latest.version)) : undefined;
    return sop && { sop, fresh: age < LATEST_SOP_TTL_MS };
  }

  /** Remembers a version read from the registry; `asLatest` when it was read as the latest one. */
  remember(sop: Sop, asLatest: boolean): void {
    const at = key(sop.id, sop.version);
    this.versions.delete(at);
    this.versions.set(at, sop);
    if (this.versions.size > MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value as string);
    if (asLatest) this.latest.set(sop.id, { version: sop.version, readAt: this.now() });
  }

  /** A publish went through: the latest version of `id` must be read again. */
  published(id: string): void {
    this.latest.delete(id);
  }
}

const key = (id: string, version: number): string => `${id}@${version}`;
