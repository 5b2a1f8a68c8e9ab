import { type ConversationFacts, emptyConversationFacts } from './conversation-facts.ts';
import { contentText, isRecord } from './provider-dialect.ts';

/**
 * Reads tools, `tool_choice`, tool results, `output_config.format` and media from a Messages body. Returns
 * Anthropic's wording of the problem instead when a `tool_result` answers no `tool_use` of the message before it.
 */
export function anthropicFacts(body: Record<string, unknown>): ConversationFacts | string {
  const facts = emptyConversationFacts();
  if (Array.isArray(body.tools))
    for (const tool of body.tools)
      if (isRecord(tool) && typeof tool.name === 'string') facts.toolNames.push(tool.name);
  const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  if (choice?.type === 'none') facts.toolChoice = 'none';
  else if (choice?.type === 'any') facts.toolChoice = 'required';
  else if (choice?.type === 'tool' && typeof choice.name === 'string')
    facts.toolChoice = { name: choice.name };
  const output = isRecord(body.output_config) ? body.output_config : undefined;
  const format = output && isRecord(output.format) ? output.format : undefined;
  if (format?.type === 'json_schema') {
    facts.json = true;
    facts.jsonSchema = isRecord(format.schema) ? format.schema : {};
  }
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  let previousToolUses = new Map<string, string>();
  for (const [position, message] of messages.entries()) {
    const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
    if (message.role === 'assistant') {
      previousToolUses = new Map();
      for (const block of blocks)
        if (block.type === 'tool_use' && typeof block.id === 'string')
          previousToolUses.set(block.id, typeof block.name === 'string' ? block.name : '');
      facts.trailingToolResults = [];
      continue;
    }
    const results: ConversationFacts['trailingToolResults'] = [];
    for (const [index, block] of blocks.entries()) {
      if (block.type === 'image') facts.images++;
      else if (block.type === 'document') facts.documents++;
      else if (block.type === 'tool_result') {
        const id = typeof block.tool_use_id === 'string' ? block.tool_use_id : '';
        const name = previousToolUses.get(id);
        if (name === undefined) {
          return `messages.${position}.content.${index}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        }
        results.push({ name, content: contentText(block.content) });
      }
    }
    facts.trailingToolResults = results;
    previousToolUses = new Map();
  }
  return facts;
}
