import type { ConversationFacts } from './conversation-facts.ts';
import { sampleFromSchema } from './sample-from-schema.ts';

/** A tool call the emulated model makes: the tool's name and its arguments (a JSON object). */
export interface EmulatedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What the emulated model answers: tool calls, or text. */
export type ReplyPlan = { type: 'tool_calls'; calls: EmulatedToolCall[] } | { type: 'text'; text: string };

/**
 * Decides the deterministic answer of a request, in this order:
 * 1. The conversation ends with tool results: `Tool <name> returned: <content>` for each (`; `-joined), or, when
 *    JSON output is asked for, an object built from the schema with those words in its strings.
 * 2. Tools are declared and not turned off: each `call <tool> {json}` in the last user message (a declared tool,
 *    arguments optional) becomes a tool call, in order (several = parallel calls); a forced choice (`required` or a
 *    named tool) with no such directive calls the first (or the named) tool with `{}`.
 * 3. JSON output: an object that follows the schema (strings are the echo), or `{"echo": ...}` in JSON mode.
 * 4. Otherwise the echo, `Echo: <last user text>`, with ` [1 image, 1 document]` when media was sent.
 */
export function planReply(facts: ConversationFacts, lastUserText: string): ReplyPlan {
  if (facts.trailingToolResults.length > 0) {
    const summary = facts.trailingToolResults
      .map((result) => `Tool ${result.name} returned: ${result.content}`)
      .join('; ');
    return { type: 'text', text: facts.json ? jsonText(facts, summary) : summary };
  }
  if (facts.toolNames.length > 0 && facts.toolChoice !== 'none') {
    const named = typeof facts.toolChoice === 'object' ? facts.toolChoice.name : undefined;
    const calls = toolDirectives(lastUserText, facts.toolNames).filter(
      (call) => named === undefined || call.name === named,
    );
    if (calls.length > 0) return { type: 'tool_calls', calls };
    if (named !== undefined) return { type: 'tool_calls', calls: [{ name: named, arguments: {} }] };
    if (facts.toolChoice === 'required')
      return { type: 'tool_calls', calls: [{ name: facts.toolNames[0]!, arguments: {} }] };
  }
  const echo = `Echo: ${lastUserText}${mediaNote(facts)}`;
  return { type: 'text', text: facts.json ? jsonText(facts, echo) : echo };
}

function jsonText(facts: ConversationFacts, words: string): string {
  return JSON.stringify(facts.jsonSchema ? sampleFromSchema(facts.jsonSchema, words) : { echo: words });
}

function mediaNote(facts: ConversationFacts): string {
  const notes: string[] = [];
  if (facts.images > 0) notes.push(`${facts.images} image${facts.images === 1 ? '' : 's'}`);
  if (facts.documents > 0) notes.push(`${facts.documents} document${facts.documents === 1 ? '' : 's'}`);
  return notes.length > 0 ? ` [${notes.join(', ')}]` : '';
}

/** Every `call <name>` (optionally followed by a JSON object) in `text` naming a declared tool. */
function toolDirectives(text: string, toolNames: readonly string[]): EmulatedToolCall[] {
  const calls: EmulatedToolCall[] = [];
  const pattern = /\bcall\s+([A-Za-z_][\w.-]*)/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const name = match[1]!;
    if (!toolNames.includes(name)) continue;
    const rest = text.slice(pattern.lastIndex);
    const start = rest.search(/\S/);
    let args: Record<string, unknown> = {};
    if (start >= 0 && rest[start] === '{') {
      const json = balancedObject(rest.slice(start));
      if (json !== undefined) {
        try {
          const value: unknown = JSON.parse(json);
          if (value && typeof value === 'object' && !Array.isArray(value))
            args = value as Record<string, unknown>;
          pattern.lastIndex += start + json.length;
        } catch {
          // Not JSON: the call gets `{}`.
        }
      }
    }
    calls.push({ name, arguments: args });
  }
  return calls;
}

/** The text of the `{...}` object `text` starts with (braces balanced, strings respected), if it closes. */
function balancedObject(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{') depth++;
    else if (character === '}' && --depth === 0) return text.slice(0, index + 1);
  }
  return undefined;
}
