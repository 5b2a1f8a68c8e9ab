import type { KeyStateView } from '@keypool/core';
import { decodeKeyState } from './key-state-codec';
import type { RedisClient } from './lua-script';
import { duplicateForSubscribe } from './redis-connection';
import { messageOf } from './store-replies';

/** Receives another process's change to one key. */
export type KeyChangeListener = (fingerprint: string, view: KeyStateView) => void;

/**
 * Other processes' key changes (cooled, disabled, enabled, recovered), from the pool's pub/sub channel, on a second
 * connection opened on the first `subscribe`. The store's own messages (same origin) are skipped.
 */
export class KeyChangeSubscriber {
  private subscriber: RedisClient | undefined;
  private readonly listeners = new Set<KeyChangeListener>();
  private closed = false;
  private readonly client: RedisClient;
  private readonly channel: string;
  private readonly origin: string;
  private readonly onChange: KeyChangeListener;
  private readonly onError: (message: string) => void;

  /**
   * @param onChange sees every change first (the store keeps it as the key's last known view).
   * @param onError a subscribe or message error (the store emits it as `store.error`).
   */
  constructor(
    client: RedisClient,
    channel: string,
    origin: string,
    onChange: KeyChangeListener,
    onError: (message: string) => void,
  ) {
    this.client = client;
    this.channel = channel;
    this.origin = origin;
    this.onChange = onChange;
    this.onError = onError;
  }

  /** Adds a listener (and subscribes on first use). Returns the unsubscribe. */
  subscribe(listener: KeyChangeListener): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Drops the listeners and the connection. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    subscriber?.disconnect();
  }

  private start(): void {
    if (this.subscriber || this.closed) return;
    const subscriber = duplicateForSubscribe(this.client);
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message);
    });
    subscriber.subscribe(this.channel).catch((error: unknown) => this.onError(messageOf(error)));
  }

  private deliver(message: string): void {
    let fingerprint: string;
    let view: KeyStateView;
    try {
      const [origin, from, fields] = JSON.parse(message) as [string, string, Record<string, unknown>];
      if (origin === this.origin) return;
      fingerprint = from;
      view = decodeKeyState(fields);
    } catch (error) {
      this.onError(messageOf(error));
      return;
    }
    this.onChange(fingerprint, view);
    for (const listener of this.listeners) {
      try {
        listener(fingerprint, view);
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }
}
