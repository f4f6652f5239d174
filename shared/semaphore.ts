// A counting semaphore: at most `permits` tasks run at once, the rest wait in order, and past `maxWaiting`
// waiting tasks a new one is refused at once instead of piling up without end.

export class SemaphoreFull extends Error {
  constructor(readonly waiting: number) {
    super(`${String(waiting)} tasks already waiting`);
    this.name = 'SemaphoreFull';
  }
}

export class Semaphore {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  /**
   * @param permits tasks that may run at once (at least 1)
   * @param maxWaiting tasks that may wait for a permit; one more is refused with SemaphoreFull
   */
  constructor(
    private permits: number,
    private readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError('permits must be a whole number ≥ 1');
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Changes the number of permits; waiting tasks start at once if there is room now. */
  resize(permits: number): void {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError('permits must be a whole number ≥ 1');
    this.permits = permits;
    this.wake();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.running--;
      this.wake();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.permits && this.queue.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxWaiting) return Promise.reject(new SemaphoreFull(this.queue.length));
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private wake(): void {
    while (this.running < this.permits && this.queue.length > 0) {
      this.running++;
      this.queue.shift()!();
    }
  }
}
