import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicDialect } from './anthropic-route.ts';
import type { EmulatorState } from './emulator-state.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { geminiDialect } from './gemini-route.ts';
import { authorizeSimpleRequest, simpleContext, writeJson } from './model-list-route.ts';

const ANTHROPIC_PATH = /^\/anthropic\/v1\/messages\/count_tokens$/;
const GEMINI_PATH = /^\/gemini\/v1(?:beta|alpha)?\/models\/([^/:]+):countTokens$/;
const MAX_BODY_CHARACTERS = 4 * 1024 * 1024;

/**
 * Serves the token-counting endpoints: Anthropic `POST /v1/messages/count_tokens` (`{input_tokens}`) and Gemini
 * `POST models/{model}:countTokens` (`{totalTokens}`), counting the prompt as the chat endpoints do. The key is
 * checked like a chat call and the request is logged. Returns false for any other request.
 */
export function handleCountTokens(state: EmulatorState, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'POST' || req.url === undefined) return false;
  const queryStart = req.url.indexOf('?');
  const path = queryStart < 0 ? req.url : req.url.slice(0, queryStart);
  const gemini = GEMINI_PATH.exec(path);
  const dialect = gemini ? geminiDialect : ANTHROPIC_PATH.test(path) ? anthropicDialect : undefined;
  if (dialect === undefined) return false;
  const query = new URLSearchParams(queryStart < 0 ? '' : req.url.slice(queryStart + 1));
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    if (body.length < MAX_BODY_CHARACTERS) body += chunk;
  });
  req.on('end', () => {
    const model = gemini ? decodeURIComponent(gemini[1] ?? '') : '';
    let parsed: unknown;
    try {
      // count_tokens takes a Messages body without `max_tokens`, which the chat parser requires.
      const json = JSON.parse(body) as Record<string, unknown>;
      parsed = dialect.parseRequest(gemini ? json : { max_tokens: 1, ...json }, { model, stream: false });
    } catch {
      parsed = undefined;
    }
    const request =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as { model: string; promptText: string })
        : undefined;
    const entry = authorizeSimpleRequest(state, dialect, req, res, path, query, request?.model ?? model);
    if (entry === undefined) return;
    const context = simpleContext(entry.seq);
    if (request === undefined) {
      const rendered = dialect.renderFailure(
        { kind: 'bad_request', message: 'could not parse the request body' },
        context,
      );
      entry.status = rendered.status;
      entry.outcome = 'bad_request';
      writeJson(
        res,
        rendered.status,
        { ...dialect.commonHeaders(context), ...rendered.headers },
        rendered.body,
      );
      return;
    }
    const tokens = estimateTokens(request.promptText);
    entry.status = 200;
    entry.outcome = 'ok';
    entry.promptTokens = tokens;
    const answer = gemini ? { totalTokens: tokens } : { input_tokens: tokens };
    writeJson(res, 200, dialect.commonHeaders(context), JSON.stringify(answer));
  });
  return true;
}
