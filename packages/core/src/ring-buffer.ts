/**
 * A fixed-capacity list that keeps the newest items: once full, each `push` drops the oldest. Memory stays bounded
 * whatever the traffic, which is what a failure history or a sliding sample window needs.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  /** Builds an empty buffer holding at most `capacity` items (an integer of at least 1). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`RingBuffer capacity must be an integer of at least 1, got ${capacity}`);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  /** How many items it holds now. */
  get size(): number {
    return this.count;
  }

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Drops the oldest items while `predicate` holds for them (e.g. samples older than a time window). */
  dropWhile(predicate: (item: T) => boolean): void {
    while (this.count > 0 && predicate(this.items[this.start] as T)) {
      this.items[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  /** Removes every item. */
  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let index = 0; index < this.count; index++)
      out.push(this.items[(this.start + index) % this.capacity] as T);
    return out;
  }
}
