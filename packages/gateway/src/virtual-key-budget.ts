import { SlidingWindow } from '@keypool/core';
import type { VirtualKeyConfig } from './gateway-config';

/** A request admitted by a budget: settle it with the real token count once known. */
export interface BudgetTicket {
  /** Replaces the estimated tokens by the real ones (a give-back when fewer were used). */
  settle(tokens: number): void;
}

/** The per-virtual-key rpm/tpm budget: admits a request or says how long until it would fit. */
export interface VirtualKeyBudget {
  /**
   * Counts one request of `tokens` (estimated) against the key's rpm and tpm, or refuses it.
   * @returns a ticket when admitted, else the ms until the request would fit.
   */
  take(key: VirtualKeyConfig, tokens: number): Promise<BudgetTicket | number> | BudgetTicket | number;
  /** Releases what the budget holds (connections). */
  close(): Promise<void>;
}

const NO_TICKET: BudgetTicket = { settle: () => undefined };

/** A per-process budget on sliding windows (30 slices a window). */
export class MemoryVirtualKeyBudget implements VirtualKeyBudget {
  private readonly windows = new Map<string, { requests: SlidingWindow; tokens: SlidingWindow }>();

  /** `windowMs` is the length of the budget's "minute" (tests shorten it); `now` the clock. */
  constructor(
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: VirtualKeyConfig, tokens: number): BudgetTicket | number {
    if (key.rpm === undefined && key.tpm === undefined) return NO_TICKET;
    let windows = this.windows.get(key.id);
    if (windows === undefined) {
      windows = { requests: new SlidingWindow(this.windowMs), tokens: new SlidingWindow(this.windowMs) };
      this.windows.set(key.id, windows);
    }
    const now = this.now();
    const freeAt = Math.max(
      key.rpm === undefined ? now : windows.requests.freeAt(1, key.rpm, now),
      key.tpm === undefined ? now : windows.tokens.freeAt(tokens, key.tpm, now),
    );
    if (freeAt > now || key.rpm === 0) return Math.max(1, freeAt - now);
    windows.requests.add(1, now);
    windows.tokens.add(tokens, now);
    const held = windows.tokens;
    return { settle: (used) => held.add(used - tokens, this.now()) };
  }

  async close(): Promise<void> {}
}
