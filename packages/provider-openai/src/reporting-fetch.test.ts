import { describe, expect, it } from 'vitest';
import { createReportingFetch } from './reporting-fetch';

const SECRET = 'sk-reporting-fetch-secret-0000000001';

describe('createReportingFetch', () => {
  it('reports rate-limit headers and passes a successful response through untouched', async () => {
    const original = new Response('{"ok":true}', {
      status: 200,
      headers: { 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '9' },
    });
    const reports: unknown[] = [];
    const wrapped = createReportingFetch(
      async () => original,
      SECRET,
      (info) => reports.push(info),
    );
    expect(await wrapped('http://127.0.0.1/v1/chat/completions')).toBe(original);
    expect(reports).toEqual([{ requests: { limit: 10, remaining: 9 } }]);
  });

  it('scrubs the secret from an error response body, keeping status and headers', async () => {
    const wrapped = createReportingFetch(
      async () =>
        new Response(`{"error":{"message":"key ${SECRET} is not allowed"}}`, {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'x-request-id': 'req_9' },
        }),
      SECRET,
      undefined,
    );
    const response = await wrapped('http://127.0.0.1/v1/chat/completions');
    expect(response.status).toBe(403);
    expect(response.headers.get('x-request-id')).toBe('req_9');
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).toContain('sk-r...0001');
  });

  it('scrubs the secret from a thrown fetch error', async () => {
    const wrapped = createReportingFetch(
      async () => {
        throw new TypeError(`fetch failed for https://proxy.test/?token=${SECRET}`);
      },
      SECRET,
      undefined,
    );
    const error = await wrapped('http://127.0.0.1/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain(SECRET);
  });
});
