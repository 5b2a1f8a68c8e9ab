import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderId } from '@keypool/keystore';
import { anthropicToChatRequest } from './anthropic-wire';
import { type ApiDialect, GatewayError } from './api-error';
import type { VirtualKeyConfig } from './gateway-config';
import type { GatewayRequestEvent } from './gateway-events';
import { readJsonBody } from './http-io';
import type { ModelRouter, Route } from './model-router';
import { type CallOutcome, type NativeEndpoint, nativeCall } from './native-call';
import { openAIToChatRequest } from './openai-wire';
import { type UnifiedTarget, unifiedCall } from './unified-call';
import type { RateLimitParser } from './upstream-request';
import type { VirtualKeyBudget } from './virtual-key-budget';
import type { VirtualKeys } from './virtual-keys';

/** What the server gives a model call besides the request and response. */
export interface RouteCallContext {
  dialect: ApiDialect;
  key: VirtualKeyConfig | undefined;
  keys: VirtualKeys;
  budget: VirtualKeyBudget;
  router: ModelRouter;
  rateLimitParsers: Partial<Record<ProviderId, RateLimitParser>>;
  /** Aborts when the client goes away: the upstream call is cancelled with it. */
  signal: AbortSignal;
  /** The request's event, filled in as the call learns its model and kind. */
  report: GatewayRequestEvent;
}

const ENDPOINTS: Record<string, NativeEndpoint> = {
  '/v1/chat/completions': 'openai.chat',
  '/v1/embeddings': 'openai.embeddings',
  '/v1/responses': 'openai.responses',
  '/v1/messages': 'anthropic.messages',
};

/** Tokens to hold against a virtual key's tpm before the call: about four bytes a token plus the answer's cap. */
function estimateTokens(body: Record<string, unknown>, bytes: number): number {
  const cap = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  return Math.ceil(bytes / 4) + (typeof cap === 'number' ? cap : 256);
}

/** Each endpoint's provider: a call is passed through when its model routes to a pool of that provider. */
const ENDPOINT_PROVIDERS: Record<string, ProviderId> = {
  '/v1/chat/completions': 'openai',
  '/v1/embeddings': 'openai',
  '/v1/responses': 'openai',
  '/v1/messages': 'anthropic',
};

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The client's Anthropic headers worth passing on (its API version and betas); none for the OpenAI API. */
function upstreamHeaders(request: IncomingMessage, endpoint: NativeEndpoint): Record<string, string> {
  if (endpoint !== 'anthropic.messages') return NO_HEADERS;
  const headers: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function unifiedTarget(route: Route): UnifiedTarget {
  return route.kind === 'chain' ? { kind: 'chain', chain: route.chain } : { kind: 'pool', pool: route.pool };
}

/**
 * Serves one model call: reads the body, checks the model against the virtual key, takes the key's budget, then
 * passes the call through the provider's pool when the client's API is that provider's own (byte-exact), or runs it
 * in the unified format on a chain or another provider's pool and answers in the client's API.
 */
export async function routeCall(
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
  context: RouteCallContext,
): Promise<CallOutcome> {
  const { dialect, key, report } = context;
  const { body, raw, bytes } = await readJsonBody(request);
  const model = body.model;
  if (typeof model !== 'string' || model === '')
    throw new GatewayError('invalid_request', 'model: is required');
  report.model = model;
  report.stream = body.stream === true;
  if (!context.keys.allows(key, model)) {
    throw new GatewayError('model_not_allowed', `this key may not use the model \`${model}\``);
  }
  const route = context.router.route(model, dialect);
  const endpoint = ENDPOINTS[path]!;
  const native = route.kind === 'pool' && route.provider === ENDPOINT_PROVIDERS[path];
  if (!native && endpoint !== 'openai.chat' && endpoint !== 'anthropic.messages') {
    throw new GatewayError(
      'invalid_request',
      `${path} is served only for OpenAI models; \`${model}\` is not one`,
    );
  }
  const estimated = estimateTokens(body, bytes);
  let ticket: Awaited<ReturnType<VirtualKeyBudget['take']>> | undefined;
  if (key) {
    ticket = await context.budget.take(key, estimated);
    if (typeof ticket === 'number') {
      throw new GatewayError('budget_exceeded', `the key \`${key.id}\` is over its rpm/tpm budget`, ticket);
    }
  }
  let outcome: CallOutcome | undefined;
  try {
    if (native && route.kind === 'pool') {
      // The client's own bytes go up unless the model name is mapped to another one.
      const upstreamBody = route.model === model ? raw : JSON.stringify({ ...body, model: route.model });
      outcome = await nativeCall(endpoint, route.pool, body.stream === true, {
        response,
        dialect,
        signal: context.signal,
        estimatedTokens: estimated,
        upstream: {
          body: upstreamBody,
          headers: upstreamHeaders(request, endpoint),
          rateLimit: context.rateLimitParsers[route.provider],
        },
      });
    } else {
      const upstreamModel = route.kind === 'pool' ? route.model : '';
      const chat =
        dialect === 'anthropic'
          ? anthropicToChatRequest(body, upstreamModel)
          : openAIToChatRequest(body, upstreamModel);
      chat.signal = context.signal;
      const options = body.stream_options as { include_usage?: unknown } | undefined;
      outcome = await unifiedCall(unifiedTarget(route), chat, {
        response,
        dialect,
        clientModel: model,
        stream: body.stream === true,
        includeUsage: options?.include_usage === true,
      });
    }
    return outcome;
  } finally {
    if (ticket !== undefined && typeof ticket !== 'number') ticket.settle(outcome?.tokens ?? estimated);
  }
}
