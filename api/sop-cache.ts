import type { Sop } from '../domain';

/** How long this API trusts the latest version it read; a publish through this API refreshes it at once. */
export const LATEST_SOP_TTL_MS = 1_000;
/** Published versions kept; beyond this the oldest read is dropped (each is read again on demand). */
const MAX_VERSIONS = 1_000;

/**
 * Published SOP versions as this API has read them from the registry. A published version never
 * changes (a conflicting publish is refused), so it is kept until space runs out; which version is
 * the latest can change, so that is kept for `LATEST_SOP_TTL_MS` only. Nothing unpublished is kept.
 */
export class SopCache {
  private readonly versions = new Map<string, Sop>();
  private readonly latest = new Map<string, { version: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(id: string, version?: number): Sop | undefined {
    const pinned = version ?? this.latestVersion(id);
    return pinned === undefined ? undefined : this.versions.get(key(id, pinned));
  }

  /** Remembers a version read from the registry; `asLatest` when it was read as the latest one. */
  remember(sop: Sop, asLatest: boolean): void {
    const at = key(sop.id, sop.version);
    this.versions.delete(at);
    this.versions.set(at, sop);
    if (this.versions.size > MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value as string);
    if (asLatest) this.latest.set(sop.id, { version: sop.version, until: this.now() + LATEST_SOP_TTL_MS });
  }

  /** A publish went through: the latest version of `id` must be read again. */
  published(id: string): void {
    this.latest.delete(id);
  }

  private latestVersion(id: string): number | undefined {
    const entry = this.latest.get(id);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.version;
    this.latest.delete(id);
    return undefined;
  }
}

const key = (id: string, version: number): string => `${id}@${version}`;
