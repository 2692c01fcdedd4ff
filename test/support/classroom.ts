import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { createClassroom, type Classroom } from "../../sandbox-server/classroom/index.ts";
import { createFeatures } from "../../sandbox-server/features.ts";
import { ROOT, startSandbox, type RunningSandbox } from "./sandbox.ts";

export const INSTRUCTOR_TOKEN = "test-instructor-token-0123456789";

export interface RunningClass extends RunningSandbox {
  classroom: Classroom;
  databasePath: string;
}

/** A fresh database path in a temp folder. */
export function tempDatabase(): string {
  return join(mkdtempSync(join(tmpdir(), "wirelab-class-")), "class.sqlite");
}

/** The real sandbox server in class mode on an ephemeral port. */
export async function startClass(
  databasePath = tempDatabase(),
  siteDir?: string,
  joinsPerMinute?: number,
): Promise<RunningClass> {
  const classroom = createClassroom({
    databasePath,
    instructorToken: INSTRUCTOR_TOKEN,
    joinsPerMinute,
  });
  const sandbox = await startSandbox(createFeatures({ root: ROOT, classroom }), siteDir);
  return { ...sandbox, classroom, databasePath };
}

export async function joinClass(http: string, nickname: string) {
  const response = await fetch(`${http}/api/class/join`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nickname }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A student's page connection: says hello and collects every message. */
export class StudentClient {
  readonly messages: Record<string, any>[] = [];
  private waiters: {
    test: (message: Record<string, any>) => boolean;
    resolve: (m: Record<string, any>) => void;
  }[] = [];
  readonly socket: WebSocket;

  constructor(ws: string, credential: string) {
    this.socket = new WebSocket(`${ws}/ws/class`);
    this.socket.on("open", () => this.socket.send(JSON.stringify({ type: "hello", credential })));
    this.socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, any>;
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  /** Resolves with the first message (already received or coming) that passes `test`. */
  next(test: (message: Record<string, any>) => boolean): Promise<Record<string, any>> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  send(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }

  close() {
    this.socket.close();
  }
}
