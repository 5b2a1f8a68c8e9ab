/**
 * Attribute names: the OpenTelemetry GenAI semantic conventions (`gen_ai.*`) for what they cover, and Keypool's
 * own (`keypool.*`) for keys, attempts, categories and fallback steps. Keys appear by id and masked form only.
 */
export const ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The older name of `gen_ai.provider.name`, still read by many backends. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
  keyId: 'keypool.key.id',
  keyMasked: 'keypool.key.masked',
  attempt: 'keypool.attempt',
  attempts: 'keypool.attempts',
  category: 'keypool.error.category',
  outcome: 'keypool.outcome',
  fallbackStep: 'keypool.fallback.step',
  fallbackStepName: 'keypool.fallback.step.name',
  fallbackSteps: 'keypool.fallback.steps',
} as const;

/** Keypool's provider names are the GenAI `gen_ai.provider.name` values, except Gemini's. */
export function genAiProvider(provider: string): string {
  switch (provider) {
    case 'gemini':
      return 'gcp.gemini';
    case 'mistral':
      return 'mistral_ai';
    default:
      return provider;
  }
}
