/**
 * The grading slots, one per submission that may run at once. Each keeps a
 * runner loaded and a fresh worker sandbox waiting, so a submission that
 * finds a slot ready is graded warm.
 */
import { GradingSlot } from "./slot.ts";
import type { SlotOptions } from "./slot.ts";

export interface PoolOptions extends SlotOptions {
  /** Slots, i.e. submissions graded at once. */
  size: number;
  /** Start every slot now (a server); false: on first use (the CLI). */
  warm: boolean;
}

export class SandboxPool {
  private slots: GradingSlot[] = [];
  private options: PoolOptions;
  private closed = false;

  constructor(options: PoolOptions) {
    this.options = options;
    if (options.warm)
      while (this.slots.length < options.size) this.slots.push(new GradingSlot(options));
  }

  /** Resolves once every slot has a warm worker (for benchmarks and tests). */
  async whenWarm(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.whenReady()));
  }

  /**
   * An unclaimed slot, warm if one is. The grading queue never runs more
   * submissions at once than there are slots.
   */
  acquire(): { slot: GradingSlot; warm: boolean } {
    if (this.closed) throw new Error("the grading pool is closed");
    const free = this.slots.filter((slot) => !slot.claimed);
    let slot = free.find((candidate) => candidate.warm) ?? free[0];
    if (!slot) {
      if (this.slots.length >= this.options.size) throw new Error("every grading slot is busy");
      slot = new GradingSlot(this.options);
      this.slots.push(slot);
    }
    const warm = slot.warm;
    slot.claim();
    return { slot, warm };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.close()));
  }
}
