/**
 * A binary min-heap of items ordered by a numeric priority given at push time. Used for keys waiting to become
 * usable (ordered by the time they are available), so the earliest one is found in O(1) and released in O(log n).
 * Entries are never updated in place: a caller pushes again and skips stale entries it pops (lazy deletion).
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly priorities: number[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Adds an item with its priority. O(log n). */
  push(item: T, priority: number): void {
    const items = this.items;
    const priorities = this.priorities;
    let index = items.length;
    items.push(item);
    priorities.push(priority);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (priorities[parent]! <= priority) break;
      items[index] = items[parent]!;
      priorities[index] = priorities[parent]!;
      index = parent;
    }
    items[index] = item;
    priorities[index] = priority;
  }

  /** The smallest priority, or +Infinity when empty. */
  peekPriority(): number {
    return this.priorities.length > 0 ? this.priorities[0]! : Number.POSITIVE_INFINITY;
  }

  /** The item with the smallest priority, or undefined. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the item with the smallest priority. O(log n). */
  pop(): T | undefined {
    const items = this.items;
    const priorities = this.priorities;
    if (items.length === 0) return undefined;
    const top = items[0];
    const lastItem = items.pop()!;
    const lastPriority = priorities.pop()!;
    const count = items.length;
    if (count > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= count) break;
        const right = left + 1;
        const child = right < count && priorities[right]! < priorities[left]! ? right : left;
        if (priorities[child]! >= lastPriority) break;
        items[index] = items[child]!;
        priorities[index] = priorities[child]!;
        index = child;
      }
      items[index] = lastItem;
      priorities[index] = lastPriority;
    }
    return top;
  }
}
