/** The API over HTTP, with the signed-in key; every failure is an `ApiError` carrying its status. */

/** Thrown for any answer that is not a success; status 0 when the API could not be reached. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ title?: string, detail?: string, code?: string } | null} problem the problem+json body
   */
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** @param {string} key the API key, sent as `Authorization: Bearer <key>` */
export function createApi(key) {
  /**
   * One request; its JSON answer, or an `ApiError`.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON
   * @returns {Promise<any>}
   */
  async function request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, { title: 'Network error', detail: 'The API could not be reached.' });
    }
    const answer = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, answer);
    return answer;
  }

  /** @param {string} path */
  const get = (path) => request('GET', path);
  /** @param {string} path @param {unknown} [body] sent as JSON */
  const post = (path, body) => request('POST', path, body);

  /**
   * Every page of a list: follows `nextPageToken` until it is null.
   * @param {string} path with its query string
   * @param {string} field the array each page carries
   * @returns {Promise<any[]>}
   */
  async function all(path, field) {
    const items = [];
    let token = null;
    for (let page = 0; page < 100; page++) {
      const body = await get(token ? `${path}&pageToken=${encodeURIComponent(token)}` : path);
      items.push(...(body[field] ?? []));
      token = body.nextPageToken ?? null;
      if (!token) break;
    }
    return items;
  }

  return { get, all, post };
}

/** @typedef {ReturnType<typeof createApi>} Api */
