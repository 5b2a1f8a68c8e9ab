/** Something that happened during a simulation, for the live view and the event log. `at`: ms since the start. */
export type SimulationEvent = { at: number } & (
  | { kind: 'action'; label: string }
  | { kind: 'disabled'; provider: string; keyId: string; masked: string; category: string; reason: string }
  | {
      kind: 'cooldown';
      provider: string;
      keyId: string;
      masked: string;
      category: string;
      durationMs: number;
      reason: string;
    }
  | { kind: 'recovered'; provider: string; keyId: string; masked: string }
  | { kind: 'retry'; provider: string; fromKeyId: string; category: string }
  | { kind: 'fallback'; from: string; to: string; reason: string }
  | { kind: 'breaker'; step: string; state: 'open' | 'half_open' | 'closed'; durationMs?: number | undefined }
  | { kind: 'failed'; call: number; message: string }
  | { kind: 'progress'; done: number; total: number; served: number }
);
