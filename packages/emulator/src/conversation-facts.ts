/** How the request lets the model use tools. */
export type EmulatedToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** A tool result that ends the conversation: the model's turn is to answer from it. */
export interface TrailingToolResult {
  name: string;
  content: string;
}

/**
 * What the emulator reads of a request beyond its text: declared tools and the tool choice, tool results the model
 * must answer from, the requested output format, and the images and documents it was sent.
 */
export interface ConversationFacts {
  toolNames: string[];
  toolChoice: EmulatedToolChoice;
  trailingToolResults: TrailingToolResult[];
  /** JSON output was asked for (JSON mode or a schema). */
  json: boolean;
  /** The JSON Schema the output must follow, when one was given. */
  jsonSchema: Record<string, unknown> | undefined;
  images: number;
  documents: number;
}

/** Facts of a request that declares nothing beyond text. */
export function emptyConversationFacts(): ConversationFacts {
  return {
    toolNames: [],
    toolChoice: 'auto',
    trailingToolResults: [],
    json: false,
    jsonSchema: undefined,
    images: 0,
    documents: 0,
  };
}
