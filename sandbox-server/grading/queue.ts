/**
 * The grading queue: at most `concurrency` submissions run at once, at most
 * one per student (queued or running), at most `maxQueued` waiting. Waiting
 * submissions are told their position whenever it changes.
 */

export class QueueRejection extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "QueueRejection";
    this.statusCode = statusCode;
  }
}

interface Waiting {
  client: string;
  start: () => void;
  onPosition: (position: number) => void;
}

export class GradingQueue {
  private running = 0;
  private waiting: Waiting[] = [];
  private clients = new Set<string>();
  readonly concurrency: number;
  readonly maxQueued: number;

  constructor(concurrency: number, maxQueued: number) {
    this.concurrency = concurrency;
    this.maxQueued = maxQueued;
  }

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Run `task` when a slot is free. Rejects at once with a 429
   * {@link QueueRejection} when this client already has a submission in
   * flight or the queue is full.
   */
  async run<T>(
    client: string,
    task: () => Promise<T>,
    onPosition: (position: number) => void = () => {},
  ): Promise<T> {
    if (this.clients.has(client)) {
      throw new QueueRejection(
        429,
        "You already have a submission being graded: wait for its result.",
      );
    }
    if (this.running >= this.concurrency && this.waiting.length >= this.maxQueued) {
      throw new QueueRejection(
        429,
        "The grader is busy: too many submissions are waiting. Try again in a moment.",
      );
    }
    this.clients.add(client);
    try {
      if (this.running >= this.concurrency) {
        await new Promise<void>((start) => {
          this.waiting.push({ client, start, onPosition });
          onPosition(this.waiting.length);
        });
      } else {
        this.running++;
      }
      try {
        return await task();
      } finally {
        this.release();
      }
    } finally {
      this.clients.delete(client);
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The slot passes straight to the next submission.
    next.start();
    this.waiting.forEach((w, index) => w.onPosition(index + 1));
  }
}
