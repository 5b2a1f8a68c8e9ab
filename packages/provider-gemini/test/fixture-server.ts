import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_BODY_FIXTURES, fixtureStatus, fixtureText } from './gemini-fixtures.ts';

/** One request the fixture server received. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A local HTTP server that answers genai's calls from the fixtures, for the endpoints the emulator lacks. */
export interface FixtureServer {
  /** genai's `httpOptions.baseUrl`. */
  baseUrl: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

const ROUTE = /^\/(v1(?:beta)?)\/models\/([^/:]+):(\w+)$/;

/**
 * Starts the fixture server on 127.0.0.1. The model name picks the answer: a fixture's name answers with that error
 * body and status (`bad-gateway` with the HTML page), `prompt-blocked`/`response-blocked` with those 200 bodies;
 * any other model succeeds (`generateContent`, `streamGenerateContent`, `countTokens`, `embedContent`).
 * `partial-safety` answers some text then a SAFETY stop, `thinking` a thought part, a text part and MAX_TOKENS.
 * `echo-key` answers a 400 whose message holds the key it received. `extraHeaders` are added to every answer.
 */
export async function startFixtureServer(extraHeaders: Record<string, string> = {}): Promise<FixtureServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      const match = ROUTE.exec(url.pathname);
      const model = match?.[2] ?? '';
      const method = match?.[3] ?? '';
      const send = (status: number, text: string, type = 'application/json; charset=UTF-8') => {
        res.writeHead(status, { 'content-type': type, ...extraHeaders });
        res.end(text);
      };
      if ((ERROR_BODY_FIXTURES as readonly string[]).includes(model)) {
        send(fixtureStatus(model as (typeof ERROR_BODY_FIXTURES)[number]), fixtureText(`${model}.json`));
        return;
      }
      if (model === 'echo-key') {
        const key = String(req.headers['x-goog-api-key'] ?? '');
        const message = `Bad request to https://generativelanguage.googleapis.com/v1/models/x?key=${key} from key ${key}`;
        send(400, JSON.stringify({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }));
        return;
      }
      if (model === 'bad-gateway') {
        send(502, fixtureText('bad-gateway.txt'), 'text/html');
        return;
      }
      if (model === 'prompt-blocked' || model === 'response-blocked') {
        const text = JSON.stringify(JSON.parse(fixtureText(`${model}.json`)));
        if (method === 'streamGenerateContent') send(200, `data: ${text}\r\n\r\n`, 'text/event-stream');
        else send(200, text);
        return;
      }
      const sse = (chunks: unknown[]) =>
        send(
          200,
          chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join(''),
          'text/event-stream',
        );
      if (model === 'partial-safety') {
        const partial = { candidates: [{ content: { role: 'model', parts: [{ text: 'partial' }] } }] };
        const stop = {
          candidates: [
            {
              finishReason: 'SAFETY',
              safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'HIGH', blocked: true }],
            },
          ],
          usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 },
        };
        if (method === 'streamGenerateContent') sse([partial, stop]);
        else
          send(
            200,
            JSON.stringify({
              candidates: [{ ...partial.candidates[0], ...stop.candidates[0] }],
              usageMetadata: stop.usageMetadata,
            }),
          );
        return;
      }
      if (model === 'continues' && method === 'streamGenerateContent') {
        // Long-decode continuation: the first hop ends with a checkpoint token and no finishReason; the resumed hop
        // (the request carries the token) finishes.
        if (!JSON.stringify(body).includes('checkpoint-1'))
          sse([
            {
              candidates: [
                {
                  content: { role: 'model', parts: [{ text: 'first half, ' }] },
                  continuationToken: 'checkpoint-1',
                },
              ],
            },
          ]);
        else
          sse([
            {
              candidates: [
                { content: { role: 'model', parts: [{ text: 'second half' }] }, finishReason: 'STOP' },
              ],
              usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
            },
          ]);
        return;
      }
      if (model === 'thinking') {
        send(
          200,
          JSON.stringify({
            candidates: [
              {
                content: {
                  role: 'model',
                  parts: [{ text: 'let me think', thought: true }, { text: 'forty-two' }],
                },
                finishReason: 'MAX_TOKENS',
              },
            ],
            usageMetadata: {
              promptTokenCount: 5,
              candidatesTokenCount: 3,
              thoughtsTokenCount: 7,
              totalTokenCount: 15,
            },
            modelVersion: 'thinking-001',
            responseId: 'thinking-response',
          }),
        );
        return;
      }
      switch (method) {
        case 'streamGenerateContent':
          sse([
            {
              candidates: [{ content: { role: 'model', parts: [{ text: 'fixture ' }] } }],
              responseId: 'fixture-stream',
            },
            {
              candidates: [{ content: { role: 'model', parts: [{ text: 'answer' }] }, finishReason: 'STOP' }],
              usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
              modelVersion: model,
              responseId: 'fixture-stream',
            },
          ]);
          return;
        case 'countTokens':
          send(
            200,
            JSON.stringify({ totalTokens: 7, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }] }),
          );
          return;
        case 'embedContent':
          send(200, JSON.stringify({ embedding: { values: [0.125, -0.5, 0.75] } }));
          return;
        case 'batchEmbedContents':
          send(200, JSON.stringify({ embeddings: [{ values: [0.125, -0.5, 0.75] }] }));
          return;
        case 'generateContent':
          send(
            200,
            JSON.stringify({
              candidates: [
                { content: { role: 'model', parts: [{ text: 'fixture answer' }] }, finishReason: 'STOP' },
              ],
              usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
              modelVersion: model,
              responseId: 'fixture-response',
            }),
          );
          return;
        default:
          send(404, JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
