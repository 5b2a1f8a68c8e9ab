import { createRecordingFetch, type RecordedRequest } from '@keypool/core/testing';

/** Headers that differ by design between the raw SDK and `pool.client`: the key. */
export const IGNORED_HEADERS = ['x-goog-api-key'];

/** What a caller observes of a scenario: its value, or its error's class, status and body. */
export type Observed =
  | { value: unknown }
  | { error: { class: string; status?: unknown; error?: unknown; message?: unknown } };

/** Runs a scenario and keeps what the caller sees, with ids and timestamps (which differ per request) left out. */
export async function observe(run: () => Promise<unknown>): Promise<Observed> {
  try {
    return { value: normalize(await run()) };
  } catch (caught) {
    const error = caught as { constructor: { name: string }; status?: unknown; error?: unknown };
    return {
      error: {
        class: error.constructor.name,
        status: error.status,
        error: normalize(error.error),
        message: (caught as Error).message,
      },
    };
  }
}

const VOLATILE = new Set([
  'responseId',
  'createTime',
  'id',
  'created',
  'created_at',
  'request_id',
  'x-request-id',
  'date',
  'first_id',
  'last_id',
]);

/** A JSON copy of `value` without the fields that change from one request to the next. */
export function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value), (key, item) => (VOLATILE.has(key) ? undefined : item));
}

/** The recorded requests of a run that got an answer other than an auth refusal (the bad key's are dropped). */
export function served(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.status !== 401);
}

export { createRecordingFetch };
