/**
 * Coalesces many small changes into few durable writes: at most one write in flight, the next
 * scheduled while changes are pending. `flush()` waits until everything marked is on disk.
 */
export class CoalescedWriter {
  private dirty = false;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly delayMs = 50,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.writeNow();
    }, this.delayMs);
    this.timer.unref?.();
  }

  private writeNow(): Promise<void> {
    if (this.writing) return this.writing;
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    this.writing = this.write()
      .catch((err: Error) => this.onError(err))
      .finally(() => {
        this.writing = null;
        if (this.dirty) this.markDirty();
      });
    return this.writing;
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing || this.dirty) {
      if (this.writing) await this.writing;
      else await this.writeNow();
    }
  }
}
