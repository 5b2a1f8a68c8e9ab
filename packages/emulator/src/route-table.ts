import { anthropicDialect } from './anthropic-route.ts';
import { azureOpenAIDialect } from './azure-openai-route.ts';
import type { RoutedRequest } from './chat-handler.ts';
import { geminiDialect } from './gemini-route.ts';
import { mistralDialect } from './mistral-route.ts';
import { openaiDialect } from './openai-route.ts';

const GEMINI_PATH = /^\/gemini\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const EMPTY_QUERY = new URLSearchParams();
const AZURE_PATH = /^\/azure\/openai\/deployments\/([^/]+)\/chat\/completions$/;

/**
 * Maps a request line to the provider dialect that serves it. Each provider lives under its own prefix:
 * `/openai/v1/chat/completions`, `/anthropic/v1/messages`, `/gemini/v1[beta]/models/{model}:generateContent` or
 * `:streamGenerateContent`, `/mistral/v1/chat/completions`, and Azure OpenAI's
 * `/azure/openai/deployments/{deployment}/chat/completions?api-version=...`. Returns undefined for anything else.
 */
export function routeRequest(method: string | undefined, url: string | undefined): RoutedRequest | undefined {
  if (method !== 'POST' || url === undefined) return undefined;
  const queryStart = url.indexOf('?');
  let path = queryStart < 0 ? url : url.slice(0, queryStart);
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  const query = queryStart < 0 ? EMPTY_QUERY : new URLSearchParams(url.slice(queryStart + 1));
  switch (path) {
    case '/openai/v1/chat/completions':
      return { dialect: openaiDialect, path, query, facts: {} };
    case '/anthropic/v1/messages':
      return { dialect: anthropicDialect, path, query, facts: {} };
    case '/mistral/v1/chat/completions':
      return { dialect: mistralDialect, path, query, facts: {} };
  }
  const azure = AZURE_PATH.exec(path);
  // Azure answers a request without an api-version as a missing resource.
  if (azure !== null && query.get('api-version')) {
    return { dialect: azureOpenAIDialect, path, query, facts: { model: decodeURIComponent(azure[1] ?? '') } };
  }
  const gemini = GEMINI_PATH.exec(path);
  if (gemini !== null) {
    const model = decodeURIComponent(gemini[1] ?? '');
    return {
      dialect: geminiDialect,
      path,
      query,
      facts: { model, stream: gemini[2] === 'streamGenerateContent' },
    };
  }
  return undefined;
}
