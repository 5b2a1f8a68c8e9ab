import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type AttemptKey, type HeaderSource, type RateLimitInfo, scrubSecrets } from '@keypool/core';

/** The upstream calls the gateway passes through byte for byte. */
export type NativeEndpoint = 'openai.chat' | 'openai.embeddings' | 'openai.responses' | 'anthropic.messages';

/** Reads a provider's rate-limit headers (the provider package's own parser). */
export type RateLimitParser = (headers: HeaderSource) => RateLimitInfo | undefined;

/** What the gateway reads from a pool's per-key SDK client: its key, base URL and error classes. */
interface SdkClient {
  apiKey: string | null;
  baseURL: string;
  constructor: {
    APIError: {
      generate(status: number, body: unknown, message: string | undefined, headers: Headers): Error;
    };
    APIConnectionError: new (init: { message?: string; cause?: Error }) => Error;
    APIUserAbortError: new (init?: { message?: string }) => Error;
  };
}

const PATHS: Record<NativeEndpoint, string> = {
  'openai.chat': '/chat/completions',
  'openai.embeddings': '/embeddings',
  'openai.responses': '/responses',
  'anthropic.messages': '/v1/messages',
};

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** What one upstream request carries besides the key: the body and the client's headers worth passing on. */
export interface UpstreamRequest {
  body: Buffer | string;
  /** `anthropic-version` / `anthropic-beta` from the client, for the Anthropic API. */
  headers?: Record<string, string>;
  rateLimit?: RateLimitParser | undefined;
}

function toHeaders(source: IncomingMessage['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** Reads a whole upstream body as bytes (passed on to the client as they are, never decoded and re-encoded). */
function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    response.once('error', reject);
    response.once('close', () => {
      if (!response.complete)
        reject(new Error('the upstream closed the connection before the end of the body'));
    });
  });
}

/** Where one endpoint of one client is: Node's request options, taken apart from the URL once. */
interface Target {
  secure: boolean;
  hostname: string;
  port: number;
  path: string;
}

/** Each client's endpoints, parsed once (a client's base URL never changes; parsing a URL a call costs µs). */
const targets = new WeakMap<object, Map<NativeEndpoint, Target>>();

function endpointTarget(client: SdkClient, endpoint: NativeEndpoint): Target {
  let byEndpoint = targets.get(client);
  if (byEndpoint === undefined) {
    byEndpoint = new Map();
    targets.set(client, byEndpoint);
  }
  let target = byEndpoint.get(endpoint);
  if (target === undefined) {
    const url = new URL(client.baseURL.replace(/\/+$/, '') + PATHS[endpoint]);
    const secure = url.protocol === 'https:';
    target = {
      secure,
      // A bracketed IPv6 host is given to Node without its brackets.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: url.pathname + url.search,
    };
    byEndpoint.set(endpoint, target);
  }
  return target;
}

/**
 * Sends one attempt of a passed-through call with Node's HTTP client (keep-alive), on the key and base URL of the
 * pool's SDK client for that key. Faster than the SDK's own request path, and exact: the client's bytes go up and the
 * upstream's bytes come back. An error status is turned into the SDK's own error (`APIError.generate`, the secret
 * scrubbed from its body), so the provider package classifies it and the pool rotates exactly as for SDK calls.
 * Resolves with the upstream response (status < 400), its body not yet read.
 */
export function sendUpstream(
  endpoint: NativeEndpoint,
  sdkClient: unknown,
  key: AttemptKey,
  request: UpstreamRequest,
): Promise<IncomingMessage> {
  const client = sdkClient as SdkClient;
  const secret = client.apiKey ?? '';
  const target = endpointTarget(client, endpoint);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'content-length': Buffer.byteLength(request.body),
  };
  if (endpoint === 'anthropic.messages') {
    headers['x-api-key'] = secret;
    headers['anthropic-version'] = request.headers?.['anthropic-version'] ?? '2023-06-01';
    const beta = request.headers?.['anthropic-beta'];
    if (beta) headers['anthropic-beta'] = beta;
  } else {
    headers.authorization = `Bearer ${secret}`;
  }
  const { secure } = target;
  return new Promise<IncomingMessage>((resolve, reject) => {
    if (key.signal.aborted) return reject(new client.constructor.APIUserAbortError());
    let answer: IncomingMessage | undefined;
    const outgoing = (secure ? https : http).request(
      {
        protocol: secure ? 'https:' : 'http:',
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers,
        agent: secure ? httpsAgent : httpAgent,
      },
      (response) => {
        answer = response;
        // The one abort listener stays until the body ends: a later abort (client gone, idle timeout) ends it too.
        response.once('close', () => key.signal.removeEventListener('abort', onAbort));
        const info = request.rateLimit?.(response.headers);
        if (info) key.reportRateLimit(info);
        const status = response.statusCode ?? 0;
        if (status < 400) return resolve(response);
        readBody(response).then((bytes) => {
          const text = bytes.toString('utf8');
          const safe = secret ? scrubSecrets(text, [secret]) : text;
          let json: unknown;
          try {
            json = JSON.parse(safe);
          } catch {
            json = undefined;
          }
          reject(
            client.constructor.APIError.generate(
              status,
              json,
              json === undefined ? safe : undefined,
              toHeaders(response.headers),
            ),
          );
        }, reject);
      },
    );
    const onAbort = () => {
      // Before the answer: fail the request as an abort. After it: end the body being read or streamed.
      if (answer) answer.destroy();
      else outgoing.destroy(new client.constructor.APIUserAbortError());
    };
    key.signal.addEventListener('abort', onAbort, { once: true });
    outgoing.once('error', (error) => {
      key.signal.removeEventListener('abort', onAbort);
      if (key.signal.aborted) return reject(new client.constructor.APIUserAbortError());
      const message = secret ? scrubSecrets(error.message, [secret]) : error.message;
      reject(new client.constructor.APIConnectionError({ message, cause: new Error(message) }));
    });
    outgoing.end(request.body);
  });
}

/** Reads a whole (successful) upstream body as bytes. */
export { readBody as readUpstreamBody };
