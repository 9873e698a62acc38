/**
 * An append-only list of things that happened (messages, closes, errors) that a test can wait on
 * without sleeping: `waitFor` resolves with the first item, already logged or still to come, that
 * matches.
 */
export interface WaitOptions {
  /** Only items at this index or later count (default 0: the whole log). Use `log.length` for "from now on". */
  fromIndex?: number;
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Names what was awaited in the timeout error. */
  description?: string;
}

interface Waiter<T> {
  predicate: (item: T, index: number) => boolean;
  fromIndex: number;
  resolve: (item: T) => void;
}

export class MessageLog<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();

  /** Everything logged so far, oldest first. */
  get items(): readonly T[] {
    return this.#items;
  }

  get length(): number {
    return this.#items.length;
  }

  /** The newest item, if any. */
  get last(): T | undefined {
    return this.#items.at(-1);
  }

  push(item: T): void {
    const index = this.#items.push(item) - 1;
    for (const waiter of this.#waiters) {
      if (index >= waiter.fromIndex && waiter.predicate(item, index)) {
        this.#waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  /**
   * The first item at `fromIndex` or later for which `predicate` holds.
   * @example await agent.received.waitFor((m) => m.remoteConfig !== undefined, { fromIndex: agent.received.length })
   */
  waitFor(
    predicate: (item: T, index: number) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<T> {
    const fromIndex = options.fromIndex ?? 0;
    for (let i = fromIndex; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      if (predicate(item, i)) return Promise.resolve(item);
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        fromIndex,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const what = options.description ?? 'a matching item';
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what} (log has ${this.length} items)`),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Waits until the log holds at least `count` items and returns the item at `count - 1`. */
  waitForCount(count: number, options: Omit<WaitOptions, 'fromIndex'> = {}): Promise<T> {
    return this.waitFor((_item, index) => index === count - 1, {
      description: `${count} items`,
      ...options,
    });
  }
}
