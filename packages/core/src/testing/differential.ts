import { expect } from 'vitest';
import { createRecordingFetch, type RecordedRequest, type RecordingFetch } from './recording-fetch';

/** What a caller observes of a scenario: its value, or its error's class, status, body and any extra fields. */
export type Observed = { value: unknown } | { error: { class: string; [field: string]: unknown } };

/** Fields left out of observed values because they change from one request to the next (ids, timestamps). */
export const VOLATILE_FIELDS: readonly string[] = [
  'id',
  'created',
  'created_at',
  'request_id',
  'x-request-id',
  'date',
  'first_id',
  'last_id',
];

/** A key of a differential pool. */
export interface DifferentialKey {
  id: string;
  secret: string;
}

/** What the client factories of a differential get: where to send, and the recording fetch to send through. */
export interface DifferentialWire {
  baseURL: string;
  fetch: RecordingFetch['fetch'];
}

/** Options of {@link createDifferential}: the provider-specific parts. */
export interface DifferentialOptions<TClient> {
  /** Header names the raw SDK and `pool.client` send differently by design: the key, a retry count, a time budget. */
  ignoredHeaders: readonly string[];
  /** A key the server accepts. */
  goodSecret: string;
  /** A key the server refuses; it comes first in the failover pool. */
  badSecret: string;
  /** The server's base URL, evaluated inside the tests (after your `beforeAll` started it). */
  baseURL: () => string;
  /** The raw SDK client on `secret` (with the SDK's own retries off, as the pool turns them off). */
  createRawClient: (wire: DifferentialWire & { secret: string }) => TClient;
  /**
   * A pool over `keys` (with `strategy` when one is given, so the bad key is tried first) and its `pool.client`.
   */
  createPoolClient: (
    wire: DifferentialWire & { keys: DifferentialKey[]; strategy?: 'round-robin' },
  ) => TClient;
  /** Whether a recorded request is the bad key's refusal. Default: status 401. */
  isRefusal?: (request: RecordedRequest) => boolean;
  /** Fields of a thrown error the caller sees beyond its class, `status` and normalized `error` body. */
  describeError?: (caught: unknown) => Record<string, unknown>;
  /** More volatile field names than {@link VOLATILE_FIELDS}. */
  volatileFields?: readonly string[];
}

/** A scenario: what a caller does with a client. Its value (or error) is what is compared. */
export type DifferentialScenario<TClient> = (client: TClient) => Promise<unknown>;

/** The comparison built by {@link createDifferential}. */
export interface Differential<TClient> {
  /**
   * Runs `scenario` on the raw SDK, then through `pool.client` with the good key, then through a pool whose first
   * key is refused. What the caller sees must be equal each time, and so must the requests on the wire (method,
   * path, headers but the ignored ones, body), but for the one refused request of the failover run. The raw run must
   * end in `outcome` (default `value`) and send something, so that equality is not vacuous.
   */
  compare(
    scenario: DifferentialScenario<TClient>,
    options?: { outcome?: 'value' | 'error'; baseURL?: string },
  ): Promise<void>;
  /** Runs `run` and keeps what the caller sees, without volatile fields. */
  observe(run: () => Promise<unknown>): Promise<Observed>;
  /** A JSON copy of `value` without the volatile fields. */
  normalize(value: unknown): unknown;
}

/**
 * The differential test every provider package runs against the emulator with its real SDK: `pool.client` must be
 * indistinguishable from the raw SDK client, on the wire and to the caller, also when a refused key is skipped.
 */
export function createDifferential<TClient>(options: DifferentialOptions<TClient>): Differential<TClient> {
  const volatile = new Set([...VOLATILE_FIELDS, ...(options.volatileFields ?? [])]);
  const isRefusal = options.isRefusal ?? ((request: RecordedRequest) => request.status === 401);

  const normalize = (value: unknown): unknown => {
    if (value === undefined) return undefined;
    return JSON.parse(JSON.stringify(value), (key, item) => (volatile.has(key) ? undefined : item));
  };

  const observe = async (run: () => Promise<unknown>): Promise<Observed> => {
    try {
      return { value: normalize(await run()) };
    } catch (caught) {
      const error = caught as { constructor: { name: string }; status?: unknown; error?: unknown };
      return {
        error: {
          class: error.constructor.name,
          status: error.status,
          error: normalize(error.error),
          ...options.describeError?.(caught),
        },
      };
    }
  };

  const compare: Differential<TClient>['compare'] = async (scenario, compareOptions = {}) => {
    const baseURL = compareOptions.baseURL ?? options.baseURL();
    const rawWire = createRecordingFetch(options.ignoredHeaders);
    const raw = options.createRawClient({ baseURL, fetch: rawWire.fetch, secret: options.goodSecret });
    const expected = await observe(() => scenario(raw));
    // The raw run itself must do what the scenario is about, so that equality below is not vacuous.
    expect(Object.keys(expected)).toEqual([compareOptions.outcome ?? 'value']);
    expect(rawWire.requests.length).toBeGreaterThan(0);

    const pooledWire = createRecordingFetch(options.ignoredHeaders);
    const pooled = options.createPoolClient({
      baseURL,
      fetch: pooledWire.fetch,
      keys: [{ id: 'good', secret: options.goodSecret }],
    });
    expect(await observe(() => scenario(pooled))).toEqual(expected);
    expect(pooledWire.requests).toEqual(rawWire.requests);

    const failoverWire = createRecordingFetch(options.ignoredHeaders);
    const failover = options.createPoolClient({
      baseURL,
      fetch: failoverWire.fetch,
      keys: [
        { id: 'bad', secret: options.badSecret },
        { id: 'good', secret: options.goodSecret },
      ],
      strategy: 'round-robin',
    });
    expect(await observe(() => scenario(failover))).toEqual(expected);
    expect(failoverWire.requests.filter((request) => !isRefusal(request))).toEqual(rawWire.requests);
    expect(failoverWire.requests.filter(isRefusal)).toHaveLength(1);
  };

  return { compare, observe, normalize };
}
