import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from './decide-outcome.ts';
import { decideOutcome } from './decide-outcome.ts';
import { delay } from './delay.ts';
import type { EmulatorState } from './emulator-state.ts';
import type { ChatRequest, ProviderDialect, RenderContext, RouteFacts } from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import { writeStream } from './sse.ts';

const JSON_HEADERS: HeaderMap = { 'content-type': 'application/json; charset=utf-8' };

function requestSignal(state: EmulatorState, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const closing = state.closing.signal;
  if (closing.aborted) {
    controller.abort();
    return controller.signal;
  }
  const abort = (): void => controller.abort();
  closing.addEventListener('abort', abort, { once: true });
  res.once('close', () => {
    closing.removeEventListener('abort', abort);
    controller.abort();
  });
  return controller.signal;
}

function fallbackRequest(facts: RouteFacts): ChatRequest {
  return {
    model: facts.model ?? '',
    stream: facts.stream ?? false,
    promptText: '',
    lastUserText: '',
    maxTokens: undefined,
    includeUsage: false,
  };
}

function send(res: ServerResponse, status: number, headers: HeaderMap, body: string): void {
  if (res.destroyed) return;
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * A success body that breaks the provider's response schema: `created` (a number in the chat-completions formats) as
 * a string, else `id`/`responseId` as a number. SDKs that validate answers (Mistral) reject it.
 */
function breakResponseBody(body: string): string {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  if (typeof parsed.created === 'number') parsed.created = new Date(parsed.created * 1000).toISOString();
  else if ('responseId' in parsed) parsed.responseId = 42;
  else parsed.id = 42;
  return JSON.stringify(parsed);
}

/** The request as routed: which dialect, the path (without query) and the query, and what the URL told. */
export interface RoutedRequest {
  dialect: ProviderDialect;
  path: string;
  query: URLSearchParams;
  facts: RouteFacts;
}

/**
 * Answers one chat request whose body has been read: parses it, logs it, decides its fate and writes the
 * provider's answer (plain or SSE), applying key latency and the model's stream faults.
 */
export async function handleChat(
  state: EmulatorState,
  routed: RoutedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
): Promise<void> {
  const now = Date.now();
  const { dialect } = routed;
  let parsed: ChatRequest | string;
  try {
    parsed = dialect.parseRequest(JSON.parse(rawBody), routed.facts);
  } catch {
    parsed = 'We could not parse the JSON body of your request.';
  }
  const request = typeof parsed === 'string' ? fallbackRequest(routed.facts) : parsed;
  const key = dialect.readKey(req.headers, routed.query);
  const entry = state.log.open({
    provider: dialect.provider,
    path: routed.path,
    model: request.model,
    stream: request.stream,
    key,
  });
  const keyState = key === undefined ? undefined : state.keyState(key);
  let decision: Decision;
  if (typeof parsed === 'string') {
    decision =
      keyState === undefined
        ? { type: 'fail', failure: { kind: 'invalid_key', key } }
        : { type: 'fail', failure: { kind: 'bad_request', message: parsed } };
  } else {
    decision = decideOutcome(state, key, keyState, request, now);
  }

  const answer = decision.type === 'answer' || decision.type === 'fail' ? decision.answer : undefined;
  const cost = answer === undefined ? 0 : answer.promptTokens + answer.completionTokens;
  const authenticated =
    keyState !== undefined &&
    !(
      decision.type === 'fail' &&
      (decision.failure.kind === 'invalid_key' || decision.failure.kind === 'leaked_key')
    );
  const context: RenderContext = {
    request,
    requestId: `req_${entry.seq.toString(16).padStart(24, '0')}`,
    now,
    rateLimits: authenticated ? keyState.snapshot(now, cost, request.model) : { queryCost: cost },
  };
  entry.promptTokens = answer?.promptTokens ?? 0;
  if (request.prefill !== undefined) entry.prefill = request.prefill;

  let signal: AbortSignal | undefined;
  const lazySignal = (): AbortSignal => {
    signal ??= requestSignal(state, res);
    return signal;
  };
  const latencyMs = keyState?.behaviour.latencyMs ?? 0;
  if (latencyMs > 0 && decision.type !== 'no_response' && decision.type !== 'hang_up') {
    await delay(latencyMs, lazySignal());
  }

  switch (decision.type) {
    case 'reset':
      entry.outcome = 'reset';
      req.socket.destroy();
      return;
    case 'no_response':
      entry.outcome = 'no_response';
      return;
    case 'hang_up':
      entry.outcome = 'hang_up';
      await delay(decision.afterMs, lazySignal());
      if (res.destroyed) entry.outcome = 'client_closed';
      req.socket.destroy();
      return;
    case 'fail': {
      const rendered = dialect.renderFailure(decision.failure, context);
      entry.outcome = decision.failure.kind;
      if (res.destroyed) {
        entry.outcome = 'client_closed';
        return;
      }
      entry.status = rendered.status;
      send(
        res,
        rendered.status,
        { ...JSON_HEADERS, ...dialect.commonHeaders(context), ...rendered.headers },
        rendered.body,
      );
      return;
    }
    case 'answer': {
      const model = state.models.get(request.model);
      // With `streamFaultTimes`, only the first N streams get the faults; later ones keep only the first-token delay.
      const faulty = !request.stream || model?.takeStreamFaults() !== false;
      const behaviour = faulty
        ? model?.behaviour
        : { firstTokenDelayMs: model?.behaviour.firstTokenDelayMs ?? 0 };
      entry.completionTokens = decision.answer.completionTokens;
      if (request.stream) {
        const plan = dialect.renderStream(decision.answer, context, { terminator: !behaviour?.noTerminator });
        entry.status = 200;
        entry.outcome = await writeStream(res, dialect.commonHeaders(context), plan, {
          behaviour,
          malformedFrame: dialect.malformedFrame(),
          midStreamErrorFrame: dialect.midStreamErrorFrame(context),
          signal: lazySignal,
        });
        return;
      }
      const firstTokenDelayMs = behaviour?.firstTokenDelayMs ?? 0;
      if (firstTokenDelayMs > 0) await delay(firstTokenDelayMs, lazySignal());
      if (res.destroyed) {
        entry.outcome = 'client_closed';
        return;
      }
      entry.status = 200;
      entry.outcome = 'ok';
      send(
        res,
        200,
        { ...JSON_HEADERS, ...dialect.commonHeaders(context) },
        behaviour?.invalidResponseBody
          ? breakResponseBody(dialect.renderSuccess(decision.answer, context))
          : dialect.renderSuccess(decision.answer, context),
      );
      return;
    }
  }
}
