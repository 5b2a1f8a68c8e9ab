import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicDialect } from './anthropic-route.ts';
import type { EmulatorState } from './emulator-state.ts';
import { geminiDialect } from './gemini-route.ts';
import { mistralDialect } from './mistral-route.ts';
import { openaiDialect } from './openai-route.ts';
import type { ProviderDialect, RenderContext } from './provider-dialect.ts';
import type { RequestLogEntry } from './request-log.ts';

/** Models every list names, besides those the emulator's config gives behaviours to. */
const LISTED_MODELS = ['emulated-model'];
const CREATED_SECONDS = 1_700_000_000;

const LIST_PATHS: readonly [RegExp, ProviderDialect][] = [
  [/^\/openai\/v1\/models$/, openaiDialect],
  [/^\/anthropic\/v1\/models$/, anthropicDialect],
  [/^\/gemini\/v1(?:beta|alpha)?\/models$/, geminiDialect],
  [/^\/mistral\/v1\/models$/, mistralDialect],
];

/**
 * Serves `GET .../models` for the four providers, in each one's list shape (OpenAI and Mistral `{object: "list",
 * data}`, Anthropic `{data, has_more, first_id, last_id}`, Gemini `{models}`). It checks the key like a chat call
 * (unknown, invalid, revoked or leaked keys get the provider's auth error) and logs the request. Returns false for
 * any other request, which the caller then routes as usual.
 */
export function handleModelList(state: EmulatorState, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' || req.url === undefined) return false;
  const queryStart = req.url.indexOf('?');
  const path = queryStart < 0 ? req.url : req.url.slice(0, queryStart);
  const match = LIST_PATHS.find(([pattern]) => pattern.test(path));
  if (match === undefined) return false;
  const dialect = match[1];
  const query = new URLSearchParams(queryStart < 0 ? '' : req.url.slice(queryStart + 1));
  req.resume();
  const entry = authorizeSimpleRequest(state, dialect, req, res, path, query, '');
  if (entry === undefined) return true;
  const names = [...new Set([...LISTED_MODELS, ...Object.keys(state.config.models)])];
  entry.status = 200;
  entry.outcome = 'ok';
  writeJson(
    res,
    200,
    dialect.commonHeaders(simpleContext(entry.seq)),
    JSON.stringify(listBody(dialect.provider, names)),
  );
  return true;
}

/**
 * Logs a request to a simple (non-chat) endpoint and checks its key like a chat call: an unknown, invalid, revoked or
 * leaked key gets the provider's auth error (written here, returning undefined). Otherwise returns the log entry,
 * for the caller to answer.
 */
export function authorizeSimpleRequest(
  state: EmulatorState,
  dialect: ProviderDialect,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  model: string,
): RequestLogEntry | undefined {
  const key = dialect.readKey(req.headers, query);
  const entry = state.log.open({ provider: dialect.provider, path, model, stream: false, key });
  const keyState = key === undefined ? undefined : state.keyState(key);
  const behaviour = keyState?.behaviour;
  const revoked =
    behaviour?.revokeAfter !== undefined && keyState !== undefined && keyState.calls > behaviour.revokeAfter;
  if (key !== undefined && keyState !== undefined && !behaviour?.invalid && !behaviour?.leaked && !revoked) {
    return entry;
  }
  const failure =
    behaviour?.leaked && key ? { kind: 'leaked_key' as const, key } : { kind: 'invalid_key' as const, key };
  const context = simpleContext(entry.seq);
  const rendered = dialect.renderFailure(failure, context);
  entry.status = rendered.status;
  entry.outcome = failure.kind;
  writeJson(res, rendered.status, { ...dialect.commonHeaders(context), ...rendered.headers }, rendered.body);
  return undefined;
}

/** The render context of a simple request (no chat request behind it). */
export function simpleContext(seq: number): RenderContext {
  return {
    request: {
      model: '',
      stream: false,
      promptText: '',
      lastUserText: '',
      maxTokens: undefined,
      includeUsage: false,
    },
    requestId: `req_${seq.toString(16).padStart(24, '0')}`,
    now: Date.now(),
    rateLimits: { queryCost: 0 },
  };
}

function listBody(provider: ProviderDialect['provider'], names: readonly string[]): unknown {
  switch (provider) {
    case 'anthropic': {
      const data = names.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: new Date(CREATED_SECONDS * 1000).toISOString(),
      }));
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    }
    case 'gemini':
      return {
        models: names.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        })),
      };
    case 'mistral':
      return {
        object: 'list',
        data: names.map((id) => ({
          id,
          object: 'model',
          created: CREATED_SECONDS,
          owned_by: 'mistralai',
          type: 'base',
          capabilities: { completion_chat: true },
        })),
      };
    default:
      return {
        object: 'list',
        data: names.map((id) => ({ id, object: 'model', created: CREATED_SECONDS, owned_by: 'emulator' })),
      };
  }
}

/** Writes a JSON answer (unless the client already went away). */
export function writeJson(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
