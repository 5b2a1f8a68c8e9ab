/**
 * The text of a Mistral message or delta `content`: a string, or an array of content chunks whose `text` chunks are
 * joined (image, reference and thinking chunks carry no answer text). Empty for null or undefined.
 */
export function mistralContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const chunk of content) {
    if (chunk && typeof chunk === 'object') {
      const part = chunk as { type?: unknown; text?: unknown };
      if ((part.type === 'text' || part.type === undefined) && typeof part.text === 'string')
        text += part.text;
    }
  }
  return text;
}
