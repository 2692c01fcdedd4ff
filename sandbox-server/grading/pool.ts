/**
 * The warm pool: sandboxes started ahead of time, each waiting with vitest
 * loaded. A submission takes one (or starts one cold when none is ready);
 * the pool starts a replacement at once. A sandbox never goes back.
 */
import type { CgroupManager } from "./cgroups.ts";
import { Sandbox } from "./sandbox.ts";
import type { SandboxLimits, SandboxStage } from "./sandbox.ts";

export interface PoolOptions {
  size: number;
  stage: SandboxStage;
  limits: SandboxLimits;
  cgroups: CgroupManager;
  bubblewrap: string | null;
}

export class SandboxPool {
  private ready: Sandbox[] = [];
  private starting = new Set<Sandbox>();
  private claimed = new Set<Sandbox>();
  private closed = false;
  private failures = 0;
  private lastFailure = "";
  private options: PoolOptions;

  constructor(options: PoolOptions) {
    this.options = options;
    this.refill();
  }

  get stats(): { ready: number; starting: number } {
    return { ready: this.ready.length, starting: this.starting.size };
  }

  /** Resolves once `size` sandboxes are warm (for benchmarks and tests). */
  async whenWarm(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.ready.length < this.options.size && Date.now() < until && !this.closed) {
      if (this.failures >= 3) throw new Error(`sandboxes fail to start: ${this.lastFailure}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private spawn(): Sandbox {
    const { stage, limits, cgroups, bubblewrap } = this.options;
    return new Sandbox({ stage, limits, cgroups, bubblewrap });
  }

  private refill(): void {
    while (
      !this.closed &&
      this.ready.length + this.starting.size < this.options.size &&
      this.failures < 3
    ) {
      const sandbox = this.spawn();
      this.starting.add(sandbox);
      sandbox.ready.then(
        () => {
          this.starting.delete(sandbox);
          this.failures = 0;
          if (this.claimed.delete(sandbox)) return; // handed to a submission while starting
          if (this.closed) {
            void sandbox.dispose();
            return;
          }
          this.ready.push(sandbox);
          // A warm sandbox that dies while idle is replaced.
          void sandbox.exited.then(() => {
            const index = this.ready.indexOf(sandbox);
            if (index >= 0) {
              this.ready.splice(index, 1);
              void sandbox.dispose();
              this.refill();
            }
          });
        },
        (error: Error) => {
          this.starting.delete(sandbox);
          if (this.claimed.delete(sandbox)) return; // its submission sees the error
          this.failures++;
          this.lastFailure = error.message;
          void sandbox.dispose();
          // Retry after a pause; three failures in a row stop the pool.
          setTimeout(() => this.refill(), 500).unref();
        },
      );
    }
  }

  /** A sandbox that is ready (warm) or about to be (cold). */
  async acquire(): Promise<{ sandbox: Sandbox; warm: boolean }> {
    if (this.closed) throw new Error("the grading pool is closed");
    const warm = this.ready.shift();
    if (warm) {
      this.refill();
      return { sandbox: warm, warm: true };
    }
    // None warm: take the one that has been starting longest, else start one.
    const oldest = this.starting.values().next().value as Sandbox | undefined;
    let sandbox: Sandbox;
    if (oldest) {
      this.starting.delete(oldest);
      this.claimed.add(oldest);
      sandbox = oldest;
    } else {
      sandbox = this.spawn();
    }
    this.refill();
    try {
      await sandbox.ready;
    } catch (error) {
      void sandbox.dispose();
      throw error;
    }
    return { sandbox, warm: false };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.ready, ...this.starting];
    this.ready = [];
    this.starting.clear();
    await Promise.all(all.map((sandbox) => sandbox.dispose()));
  }
}
