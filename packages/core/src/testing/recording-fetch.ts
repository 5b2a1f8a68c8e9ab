/** One request as it left the client: what a server would see on the wire. */
export interface RecordedRequest {
  method: string;
  /** The URL without its origin: path and query. */
  path: string;
  /** Lower-case header names, without the ones the recorder was told to ignore. */
  headers: Record<string, string>;
  /** The body as text ('' for none). */
  body: string;
  /** The answer's status (0 when the request failed before an answer). */
  status: number;
}

/** A fetch that records every request and passes it on, for differential tests (raw SDK vs `pool.client`). */
export interface RecordingFetch {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  readonly requests: RecordedRequest[];
  /** Forgets every recorded request. */
  clear(): void;
}

/**
 * Builds a recording fetch in front of `base` (default `globalThis.fetch`). Header names in `ignoreHeaders` (for
 * example the key, or a header whose value is random per request) are left out of the record.
 */
export function createRecordingFetch(
  ignoreHeaders: readonly string[] = [],
  base: (input: string | URL | Request, init?: RequestInit) => Promise<Response> = globalThis.fetch,
): RecordingFetch {
  const ignored = new Set(ignoreHeaders.map((name) => name.toLowerCase()));
  const requests: RecordedRequest[] = [];
  return {
    requests,
    clear: () => {
      requests.length = 0;
    },
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const body = request.body ? await request.clone().text() : '';
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) if (!ignored.has(name)) headers[name] = value;
      const url = new URL(request.url);
      const record: RecordedRequest = {
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers,
        body,
        status: 0,
      };
      requests.push(record);
      const response = await base(request);
      record.status = response.status;
      return response;
    },
  };
}
