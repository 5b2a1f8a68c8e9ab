/** Shared helpers for the emulator's tests. */

import type { KeyBehaviour, ModelBehaviour } from '../src/config.ts';
import type { Emulator } from '../src/server.ts';

let counter = 0;

/** A fresh key name, long enough to be masked as `sk-t...NNNN`. */
export function freshKey(label: string): string {
  counter += 1;
  return `sk-${label}-${String(counter).padStart(4, '0')}-${'x'.repeat(16)}`;
}

/** A fresh model name, so each test's model behaviour is its own. */
export function freshModel(label: string): string {
  counter += 1;
  return `model-${label}-${counter}`;
}

/** Awaits a promise expected to reject and returns the rejection (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Collects an async iterable into an array, returning the error that ended it, if any. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 10 ms until it holds (fails after `timeoutMs`). */
export async function waitUntil(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/**
 * Setters that add a key or a model with a behaviour to a running emulator, each under a fresh name with `label`.
 * `emulator` is read at call time, so the setters can be made before `beforeAll` starts it.
 */
export function behaviourSetters(
  emulator: () => Emulator,
  label: string,
): { keyWith(behaviour: KeyBehaviour): string; modelWith(behaviour: ModelBehaviour): string } {
  return {
    keyWith(behaviour) {
      const key = freshKey(label);
      emulator().addKey(key, behaviour);
      return key;
    },
    modelWith(behaviour) {
      const model = freshModel(label);
      emulator().setModelBehaviour(model, behaviour);
      return model;
    },
  };
}
