import { ConfigError } from './errors';
import type { HealthEvents, HealthMonitor } from './health-monitor';

/** Options of `createWebhookNotifier`. */
export interface WebhookNotifierOptions {
  /** Where alerts are POSTed as JSON. */
  url: string;
  /** Extra headers (e.g. an authorization token for the receiver). */
  headers?: Record<string, string>;
  /** Retries after a failed POST (network error, timeout, a 5xx or 429 answer). Default 3. */
  retries?: number;
  /** The first retry's delay; each next one doubles. Default 500 ms. */
  retryDelayMs?: number;
  /** One POST's timeout. Default 5,000 ms. */
  timeoutMs?: number;
  /** The fetch to use. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Told when a notification could not be delivered after every retry (the library never logs). */
  onError?: (error: Error, body: WebhookBody) => void;
}

/** What the webhook receives. */
export interface WebhookBody {
  type: 'alert.raised' | 'alert.resolved';
  alert: HealthEvents['alert.raised'] | HealthEvents['alert.resolved'];
}

/** Sends health alerts to a webhook. */
export interface WebhookNotifier {
  /** POSTs one body, with retries and a timeout; resolves `true` when delivered, `false` after the last retry. */
  send(body: WebhookBody): Promise<boolean>;
  /** Sends every raised and resolved alert of `monitor`. Returns the function that stops it. */
  attach(monitor: Pick<HealthMonitor, 'on'>): () => void;
  /** Resolves when every notification started so far has been delivered or given up. */
  flush(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A webhook notifier for health alerts: each alert is POSTed as JSON (`{ type, alert }`), retried with a doubling
 * delay on network errors, timeouts, 429 and 5xx, and given up after `retries` with `onError`. Alerts hold key ids
 * and masked keys only. Uses the Web `fetch`, so it runs on any runtime.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): WebhookNotifier {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigError('webhook notifier options', [
      { path: 'url', message: `not a URL: ${options.url}` },
    ]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('webhook notifier options', [
      { path: 'url', message: 'expected an http or https URL' },
    ]);
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 5_000;
  for (const [path, value] of [
    ['retries', retries],
    ['retryDelayMs', retryDelayMs],
    ['timeoutMs', timeoutMs],
  ] as const)
    if (!Number.isInteger(value) || value < 0)
      throw new ConfigError('webhook notifier options', [
        { path, message: `expected an integer of at least 0, got ${value}` },
      ]);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const pending = new Set<Promise<boolean>>();

  async function post(body: WebhookBody): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`the webhook did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliver(body: WebhookBody): Promise<boolean> {
    let lastError: Error = new Error('not sent');
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
      try {
        await post(body);
        return true;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        // A 4xx other than 429 will not get better by asking again.
        if (/answered 4\d\d$/.test(lastError.message) && !lastError.message.endsWith('429')) break;
      }
    }
    options.onError?.(lastError, body);
    return false;
  }

  function send(body: WebhookBody): Promise<boolean> {
    const delivery = deliver(body);
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
    return delivery;
  }

  return {
    send,
    attach(monitor) {
      const offRaised = monitor.on('alert.raised', (alert) => void send({ type: 'alert.raised', alert }));
      const offResolved = monitor.on(
        'alert.resolved',
        (alert) => void send({ type: 'alert.resolved', alert }),
      );
      return () => {
        offRaised();
        offResolved();
      };
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
