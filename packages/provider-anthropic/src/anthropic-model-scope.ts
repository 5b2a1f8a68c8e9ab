/**
 * The model scope of an Anthropic model: Anthropic limits per model class (e.g. every Claude Sonnet 4.x model shares
 * one set of limits), so `claude-sonnet-4-5-20250929` and `claude-sonnet-4-6` share the scope `claude-sonnet-4`.
 * An unknown name is its own scope.
 */
export function anthropicModelScope(model: string): string {
  const modern = /^claude-(opus|sonnet|haiku)-(\d+)/.exec(model);
  if (modern) return `claude-${modern[1]}-${modern[2]}`;
  const legacy = /^claude-(\d+)(?:-\d+)?-(opus|sonnet|haiku)/.exec(model);
  if (legacy) return `claude-${legacy[2]}-${legacy[1]}`;
  return model;
}
