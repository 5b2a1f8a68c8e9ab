import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleChat } from './chat-handler.ts';
import type { EmulatorConfig, KeyBehaviour, ModelBehaviour, ResolvedEmulatorConfig } from './config.ts';
import { parseEmulatorConfig, parseKeyBehaviour, parseModelBehaviour } from './config.ts';
import { handleCountTokens } from './count-tokens-route.ts';
import { EmulatorState } from './emulator-state.ts';
import { handleModelList } from './model-list-route.ts';
import type { ProviderName } from './provider-dialect.ts';
import type { RequestLogEntry } from './request-log.ts';
import { routeRequest } from './route-table.ts';

/** The base URL to give each SDK (see the README for the option each SDK takes it in). */
export type EmulatorBaseURLs = Record<Exclude<ProviderName, 'azure-openai'>, string>;

/** A running emulator. */
export interface Emulator {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /**
   * SDK base URLs: openai `${url}/openai/v1` (`baseURL`), anthropic `${url}/anthropic` (`baseURL`), gemini
   * `${url}/gemini` (`httpOptions.baseUrl`), mistral `${url}/mistral` (`serverURL`).
   */
  readonly baseURLs: EmulatorBaseURLs;
  /**
   * Azure OpenAI's `endpoint` (`${url}/azure`): `new AzureOpenAI({ endpoint, apiVersion, deployment })` adds
   * `/openai` and sends `/openai/deployments/{deployment}/chat/completions?api-version=...` with an `api-key` header.
   */
  readonly azureOpenAIEndpoint: string;
  /** The validated configuration with defaults filled in. */
  readonly config: ResolvedEmulatorConfig;
  /** Every request seen since start or the last `reset()`, oldest first (live array; do not mutate). */
  readonly requests: readonly RequestLogEntry[];
  /** Log entries for one key (matched by fingerprint). */
  requestsFor(secret: string): RequestLogEntry[];
  /** Clears the log, every rate-limit window and call count, re-arms one-shot model states, re-seeds the PRNG. */
  reset(): void;
  /** Sets a key's behaviour (adding the key if unknown); its windows and call count carry on. */
  setKeyBehaviour(secret: string, behaviour: KeyBehaviour): void;
  /** Sets a model's behaviour and re-arms `serverErrorOnce` and `outage`. */
  setModelBehaviour(model: string, behaviour: ModelBehaviour): void;
  /** Adds a key (or replaces one) with fresh windows; healthy unless a behaviour is given. */
  addKey(secret: string, behaviour?: KeyBehaviour): void;
  /** Closes the server and every socket (hung, stalled, keep-alive); resolves when all are closed. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { message: 'Not found', type: 'not_found' } }));
}

function onRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse): void {
  if (handleModelList(state, req, res) || handleCountTokens(state, req, res)) return;
  const routed = routeRequest(req.method, req.url);
  if (routed === undefined) {
    req.resume();
    notFound(res);
    return;
  }
  let body = '';
  let tooLarge = false;
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    if (tooLarge) return;
    body += chunk;
    if (body.length > MAX_BODY_BYTES) {
      tooLarge = true;
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(
        JSON.stringify({ error: { message: 'Request body too large', type: 'invalid_request_error' } }),
      );
    }
  });
  req.on('end', () => {
    if (tooLarge) return;
    handleChat(state, routed, req, res, body).catch(() => {
      res.destroy();
    });
  });
}

function formatUrl(address: AddressInfo, host: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : address.address;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the emulator: validates the config (throwing `EmulatorConfigError` naming each bad field), listens on
 * `host` (default 127.0.0.1) and `port` (default 0 = any free port) and resolves once it accepts connections.
 */
export async function startEmulator(config: EmulatorConfig = {}): Promise<Emulator> {
  const resolved = parseEmulatorConfig(config);
  const state = new EmulatorState(resolved);
  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => onRequest(state, req, res));
  const address = await listen(server, resolved.port, resolved.host);
  const url = formatUrl(address, resolved.host);
  let closed: Promise<void> | undefined;

  return {
    url,
    port: address.port,
    baseURLs: {
      openai: `${url}/openai/v1`,
      anthropic: `${url}/anthropic`,
      gemini: `${url}/gemini`,
      mistral: `${url}/mistral`,
    },
    azureOpenAIEndpoint: `${url}/azure`,
    config: resolved,
    get requests(): readonly RequestLogEntry[] {
      return state.log.entries;
    },
    requestsFor(secret) {
      return state.log.entriesFor(secret);
    },
    reset() {
      state.reset();
    },
    setKeyBehaviour(secret, behaviour) {
      state.setKey(secret, parseKeyBehaviour(state.log.namesOf(secret).masked, behaviour));
    },
    setModelBehaviour(model, behaviour) {
      state.setModel(model, parseModelBehaviour(model, behaviour), Date.now());
    },
    addKey(secret, behaviour = {}) {
      const parsed = parseKeyBehaviour(state.log.namesOf(secret).masked, behaviour);
      state.keys.delete(secret);
      state.setKey(secret, parsed);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        state.closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
