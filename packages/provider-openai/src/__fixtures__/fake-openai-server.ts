import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake server saw: the path and the key it carried. */
export interface FakeRequest {
  path: string;
  key: string | undefined;
  stream: boolean;
  status: number;
}

/** A running fake server: `baseURL` for the SDK, the request log, and `close()`. */
export interface FakeOpenAIServer {
  baseURL: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/**
 * A minimal local stand-in for the OpenAI endpoints the emulator does not serve (`/responses`, `/embeddings`,
 * `/completions`), in their wire formats, plain and streamed. Keys starting with `sk-bad` get OpenAI's 401.
 */
export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => handle(req, res, raw, requests));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string, requests: FakeRequest[]): void {
  const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  const path = (req.url ?? '').replace(/^\/v1/, '');
  const stream = body.stream === true;
  const json = (status: number, payload: unknown) => {
    requests.push({ path, key, stream, status });
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_fake_${requests.length}`,
    });
    res.end(JSON.stringify(payload));
  };
  if (!key || key.startsWith('sk-bad')) {
    json(401, {
      error: {
        message: 'Incorrect API key provided.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    return;
  }
  const usage = { input_tokens: 3, output_tokens: 2, total_tokens: 5 };
  if (path === '/embeddings') {
    json(200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      model: body.model,
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    return;
  }
  if (path === '/responses') {
    const response = {
      id: 'resp_fake',
      object: 'response',
      created_at: 1,
      status: 'completed',
      model: body.model,
      output: [
        {
          type: 'message',
          id: 'msg_fake',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello there', annotations: [] }],
        },
      ],
      usage,
    };
    if (stream)
      sse(res, requests, { path, key, stream, status: 200 }, [
        {
          type: 'response.created',
          response: { ...response, status: 'in_progress', output: [], usage: null },
        },
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { type: 'message', id: 'msg_fake', status: 'in_progress', role: 'assistant', content: [] },
        },
        {
          type: 'response.content_part.added',
          item_id: 'msg_fake',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        },
        {
          type: 'response.output_text.delta',
          item_id: 'msg_fake',
          output_index: 0,
          content_index: 0,
          delta: 'Hello',
        },
        {
          type: 'response.output_text.delta',
          item_id: 'msg_fake',
          output_index: 0,
          content_index: 0,
          delta: ' there',
        },
        { type: 'response.completed', response },
      ]);
    else json(200, response);
    return;
  }
  if (path === '/completions') {
    const text = 'Hello there';
    if (!stream) {
      json(200, {
        id: 'cmpl_fake',
        object: 'text_completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
      return;
    }
    const chunk = (piece: string, finish: string | null) => ({
      id: 'cmpl_fake',
      object: 'text_completion',
      created: 1,
      model: body.model,
      choices: [{ index: 0, text: piece, finish_reason: finish, logprobs: null }],
    });
    sse(
      res,
      requests,
      { path, key, stream, status: 200 },
      [chunk('Hello', null), chunk(' there', null), chunk('', 'stop')],
      true,
    );
    return;
  }
  json(404, { error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null } });
}

function sse(
  res: ServerResponse,
  requests: FakeRequest[],
  entry: FakeRequest,
  events: readonly Record<string, unknown>[],
  done = false,
): void {
  requests.push(entry);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_fake_${requests.length}` });
  events.forEach((event, index) => {
    const named = typeof event.type === 'string' ? `event: ${event.type}\n` : '';
    res.write(`${named}data: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`);
  });
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}
