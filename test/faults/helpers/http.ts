import { FAULT_KEYS } from './service-process';

export interface Answer<T = any> {
  /** 0: no HTTP answer (connection refused or reset, or the client's own timeout). */
  status: number;
  body: T;
  text: string;
  contentType: string;
  ms: number;
}

/** One real HTTP request to the API; never throws, so a test can count what the client saw. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  route: string,
  options: { as?: keyof typeof FAULT_KEYS; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${FAULT_KEYS[options.as ?? 'admin']}`, ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}${route}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return {
      status: response.status,
      body: parsed as T,
      text,
      contentType: response.headers.get('content-type') ?? '',
      ms: Date.now() - started,
    };
  } catch (error) {
    return { status: 0, body: null as T, text: String(error), contentType: '', ms: Date.now() - started };
  }
}

/**
 * A client that retries what a careful client retries: no answer and 503, with the same body and
 * Idempotency-Key, until it gets a final answer or `deadlineMs` passes. Returns the final answer and
 * how many attempts it took.
 */
export async function callWithRetries<T = any>(
  baseUrl: string,
  method: string,
  route: string,
  options: Parameters<typeof call>[3] & { deadlineMs?: number } = {},
): Promise<Answer<T> & { attempts: number; statuses: number[] }> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const statuses: number[] = [];
  for (let attempts = 1; ; attempts += 1) {
    const answer = await call<T>(baseUrl, method, route, options);
    statuses.push(answer.status);
    if ((answer.status !== 0 && answer.status !== 503) || Date.now() > deadline) return { ...answer, attempts, statuses };
    await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempts, 2_000)));
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<I, O>(items: readonly I[], limit: number, task: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index], index);
      }
    }),
  );
  return results;
}
