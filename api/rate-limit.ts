import type { RequestHandler } from 'express';
import { problems } from './problem';

/** Past this many callers in memory, a new one first makes the idle ones be forgotten. */
const REMEMBERED_CALLERS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets, one per caller: `perSecond` tokens a second, holding up to twice that, so a
 * caller may burst to 2× the rate and then keeps the rate. Per API process, in memory.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.capacity = 2 * perSecond;
  }

  /** Callers held in memory now. */
  get callers(): number {
    return this.buckets.size;
  }

  /** Takes one request from the caller's bucket: 0 when it may go now, else the seconds until it may. */
  take(caller: string): number {
    const now = this.clock();
    let bucket = this.buckets.get(caller);
    if (!bucket) {
      if (this.buckets.size >= REMEMBERED_CALLERS) this.forgetIdle(now);
      bucket = { tokens: this.capacity, at: now };
      this.buckets.set(caller, bucket);
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  /** Callers whose buckets have filled up again are as good as new: forget them, so memory follows who is busy now. */
  private forgetIdle(now: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(caller);
    }
  }
}

/** 429 with `Retry-After` past the caller's rate; runs after authentication, so a caller is a subject. */
export function rateLimit(limiter: RateLimiter, onLimited: (role: string) => void): RequestHandler {
  return (request, _response, next) => {
    const actor = request.actor;
    if (!actor) return next();
    const wait = limiter.take(actor.subject);
    if (wait === 0) return next();
    onLimited(actor.role);
    next(problems.tooManyRequests(wait));
  };
}
