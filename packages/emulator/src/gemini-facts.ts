import { type ConversationFacts, emptyConversationFacts } from './conversation-facts.ts';
import { isRecord } from './provider-dialect.ts';

const TURN_ORDER =
  'Please ensure that function response turn comes immediately after a function call turn. And the number of function response parts should be equal to number of function call parts of the function call turn.';

/**
 * Reads function declarations, `toolConfig`, function responses, the JSON response settings and media from a
 * generateContent body. Returns Gemini's wording of the problem instead when a function response answers no function
 * call of the model turn before it (by name, and by id where both carry one).
 */
export function geminiFacts(body: Record<string, unknown>): ConversationFacts | string {
  const facts = emptyConversationFacts();
  for (const tool of Array.isArray(body.tools) ? body.tools.filter(isRecord) : []) {
    const declarations = Array.isArray(tool.functionDeclarations)
      ? tool.functionDeclarations.filter(isRecord)
      : [];
    for (const declaration of declarations)
      if (typeof declaration.name === 'string') facts.toolNames.push(declaration.name);
  }
  const toolConfig = isRecord(body.toolConfig) ? body.toolConfig : {};
  const calling = isRecord(toolConfig.functionCallingConfig) ? toolConfig.functionCallingConfig : {};
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames : [];
  if (calling.mode === 'NONE') facts.toolChoice = 'none';
  else if (calling.mode === 'ANY')
    facts.toolChoice =
      allowed.length === 1 && typeof allowed[0] === 'string' ? { name: allowed[0] } : 'required';
  const generation = isRecord(body.generationConfig) ? body.generationConfig : {};
  if (generation.responseMimeType === 'application/json') {
    facts.json = true;
    const schema = generation.responseJsonSchema ?? generation.responseSchema;
    if (isRecord(schema)) facts.jsonSchema = schema;
  }
  let previousCalls: { id?: unknown; name?: unknown }[] = [];
  for (const item of Array.isArray(body.contents) ? body.contents.filter(isRecord) : []) {
    const parts = Array.isArray(item.parts) ? item.parts.filter(isRecord) : [];
    if (item.role === 'model') {
      previousCalls = parts.flatMap((part) => (isRecord(part.functionCall) ? [part.functionCall] : []));
      facts.trailingToolResults = [];
      continue;
    }
    const results: ConversationFacts['trailingToolResults'] = [];
    for (const part of parts) {
      const media = isRecord(part.inlineData)
        ? part.inlineData
        : isRecord(part.fileData)
          ? part.fileData
          : undefined;
      if (media) {
        if (typeof media.mimeType === 'string' && media.mimeType.startsWith('image/')) facts.images++;
        else facts.documents++;
      }
      if (!isRecord(part.functionResponse)) continue;
      const response = part.functionResponse;
      const call = previousCalls.find(
        (candidate) =>
          candidate.name === response.name &&
          (candidate.id === undefined || response.id === undefined || candidate.id === response.id),
      );
      if (!call) return TURN_ORDER;
      results.push({ name: String(response.name), content: responseText(response.response) });
    }
    facts.trailingToolResults = results;
    previousCalls = [];
  }
  return facts;
}

/** A function response as text: the lone `output` field as is, else the object as JSON. */
function responseText(response: unknown): string {
  if (isRecord(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && keys[0] === 'output')
      return typeof response.output === 'string' ? response.output : JSON.stringify(response.output);
  }
  return JSON.stringify(response ?? {});
}
