/**
 * One grading sandbox: a bubblewrap container running `runtime/runner.ts`
 * (vitest already imported), waiting on stdin for exactly one submission.
 *
 * Inside the sandbox the file system is:
 *
 * | path                  | what                                             | mode |
 * | --------------------- | ------------------------------------------------ | ---- |
 * | `/usr`, `/bin`, `/lib*` | the host's system directories                  | ro   |
 * | `/etc`                | a generated minimal `passwd`, `group`, `hosts`   | ro   |
 * | `/opt/node/bin/node`  | the Node binary running this server              | ro   |
 * | `/app/grading`        | copies of `runtime/*.ts` (the trusted runner)    | ro   |
 * | `/app/exercises`      | copies of every exercise's test files            | ro   |
 * | `/app/node_modules`   | the project's `node_modules`                     | ro   |
 * | `/tmp`                | a small tmpfs: the only writable place           | rw   |
 * | `/proc`, `/dev`       | the sandbox's own                                | -    |
 *
 * Nothing else of the host exists in there: not the project, not `/root`,
 * not the server's data directory.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CgroupManager, SandboxCgroup } from "./cgroups.ts";
import type { RunnerMessage } from "./runtime/protocol.ts";
import { isValidMessage } from "./results.ts";
import { PROTOCOL_LIMITS } from "./runtime/protocol.ts";

const RUNTIME_DIR = join(dirname(fileURLToPath(import.meta.url)), "runtime");
const RUNTIME_FILES = ["runner.ts", "setup.ts", "protocol.ts", "entry.test.ts"];

export interface SandboxLimits {
  /** Wall-clock limit for one submission, from the moment it is handed over (ms). */
  timeLimitMs: number;
  /** Per-test timeout inside vitest (ms). */
  testTimeoutMs: number;
  /** Size of the writable tmpfs (bytes). */
  tmpfsBytes: number;
  /** V8 heap limit of the vitest worker (MiB). */
  heapMb: number;
  /** Most bytes of stdout + stderr before the sandbox is killed. */
  outputBytes: number;
}

/** Where the sandbox's read-only world comes from on the host. */
export interface SandboxStage {
  /** Host directory holding `app/` (runner, tests) and `etc/`. */
  dir: string;
  appDir: string;
  etcDir: string;
  nodeModulesDir: string;
  nodeBinary: string;
  remove(): void;
}

/** Copy the runner and the exercises' test files into a fresh staging directory. */
export function createStage(
  nodeModulesDir: string,
  testFiles: ReadonlyArray<{ exercise: string; file: string; source: string }>,
): SandboxStage {
  const dir = mkdtempSync(join(tmpdir(), "wirelab-grading-"));
  const appDir = join(dir, "app");
  const etcDir = join(dir, "etc");
  mkdirSync(join(appDir, "grading"), { recursive: true });
  mkdirSync(join(appDir, "exercises"), { recursive: true });
  mkdirSync(join(appDir, "node_modules"), { recursive: true });
  mkdirSync(etcDir, { recursive: true });
  writeFileSync(
    join(appDir, "package.json"),
    JSON.stringify({ name: "wirelab-grading-sandbox", private: true, type: "module" }),
  );
  for (const name of RUNTIME_FILES)
    copyFileSync(join(RUNTIME_DIR, name), join(appDir, "grading", name));
  for (const test of testFiles) {
    const target = join(appDir, "exercises", test.exercise, test.file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(test.source, target);
  }
  // A sandbox-provided /etc: the host's users, hosts and resolver stay invisible.
  writeFileSync(join(etcDir, "passwd"), "student:x:1000:1000:WireLab student:/tmp:/bin/false\n");
  writeFileSync(join(etcDir, "group"), "student:x:1000:\n");
  writeFileSync(join(etcDir, "hosts"), "127.0.0.1 localhost\n::1 localhost\n");
  writeFileSync(join(etcDir, "nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files\n");
  writeFileSync(join(etcDir, "resolv.conf"), "");
  return {
    dir,
    appDir,
    etcDir,
    nodeModulesDir,
    nodeBinary: process.execPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** bubblewrap arguments for the system directories, copying the host's `/bin -> usr/bin` style links. */
function systemDirArgs(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const path of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    if (!existsSync(path)) continue;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else if (stat.isDirectory()) args.push("--ro-bind", path, path);
  }
  // The dynamic linker's cache, nothing else from the host's /etc.
  if (existsSync("/etc/ld.so.cache"))
    args.push("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache");
  return args;
}

export function bubblewrapArgs(stage: SandboxStage, limits: SandboxLimits): string[] {
  return [
    "--unshare-all", // user, ipc, pid, net (loopback only), uts, cgroup namespaces
    "--die-with-parent",
    "--new-session", // no TIOCSTI into the server's terminal
    "--cap-drop",
    "ALL",
    "--clearenv",
    "--hostname",
    "wirelab-sandbox",
    ...systemDirArgs(),
    "--ro-bind",
    stage.etcDir,
    "/etc",
    "--ro-bind",
    stage.nodeBinary,
    "/opt/node/bin/node",
    "--ro-bind",
    stage.appDir,
    "/app",
    "--ro-bind",
    stage.nodeModulesDir,
    "/app/node_modules",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(limits.tmpfsBytes),
    "--tmpfs",
    "/tmp",
    "--chdir",
    "/tmp",
    "--setenv",
    "PATH",
    "/opt/node/bin:/usr/bin:/bin",
    "--setenv",
    "HOME",
    "/tmp",
    "--setenv",
    "TMPDIR",
    "/tmp",
    ...sandboxEnv(limits).flatMap(([key, value]) => ["--setenv", key, value]),
    "/opt/node/bin/node",
    ...runnerNodeFlags(),
    "/app/grading/runner.ts",
  ];
}

function sandboxEnv(limits: SandboxLimits): Array<[string, string]> {
  return [
    ["NODE_ENV", "test"],
    ...(process.env.WIRELAB_DEBUG ? [["WIRELAB_DEBUG", "1"] as [string, string]] : []),
    ["CI", "1"],
    ["NO_COLOR", "1"],
    ["FORCE_COLOR", "0"],
    ["WIRELAB_TEST_TIMEOUT", String(limits.testTimeoutMs)],
    ["WIRELAB_HEAP_MB", String(limits.heapMb)],
    ["WIRELAB_OUTPUT_BYTES", String(limits.outputBytes)],
  ];
}

function runnerNodeFlags(): string[] {
  return ["--no-warnings", "--max-old-space-size=256"];
}

export interface SandboxOutcome {
  messages: RunnerMessage[];
  /** Lines on the results channel that were not valid messages for this submission. */
  rejectedLines: number;
  timedOut: boolean;
  outputExceeded: boolean;
  resultsExceeded: boolean;
  oomKilled: boolean;
  pidsExhausted: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of stderr, for diagnosing crashes (inside-the-sandbox paths only). */
  stderrTail: string;
  durationMs: number;
}

export interface SandboxSpawnOptions {
  stage: SandboxStage;
  limits: SandboxLimits;
  cgroups: CgroupManager;
  /** Path to `bwrap`, or null to run without a sandbox (unsafe). */
  bubblewrap: string | null;
}

let sandboxCounter = 0;
/** Cleanups still running (cgroup removal after the sandbox ended). */
const pendingCleanups = new Set<Promise<void>>();

/** Resolves when every sandbox started so far has been cleaned up. */
export async function allSandboxesCleaned(): Promise<void> {
  while (pendingCleanups.size > 0) await Promise.all([...pendingCleanups]);
}

/**
 * A started sandbox. `ready` resolves once vitest is loaded inside; `run()`
 * may be called once. Killing is idempotent.
 */
export class Sandbox {
  readonly id: string;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private child: ChildProcess;
  private cgroup: SandboxCgroup | null;
  private limits: SandboxLimits;
  private used = false;
  private dead = false;
  private tmpDir: string | null = null;
  private messages: RunnerMessage[] = [];
  private rejectedLines = 0;
  private resultsBytes = 0;
  private resultsExceeded = false;
  private outputBytes = 0;
  private outputExceeded = false;
  private stderrTail = "";
  private nonce = "";
  private onMessage: ((message: RunnerMessage) => void) | null = null;

  constructor(options: SandboxSpawnOptions) {
    this.id = `s${process.pid}-${++sandboxCounter}`;
    this.limits = options.limits;
    this.cgroup = options.cgroups.create(this.id);
    const { command, args, env, cwd } = this.command(options);
    this.child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env,
      cwd,
      detached: true, // own process group: one kill reaches bwrap and all it started
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", () => resolve());
      this.child.once("error", () => resolve());
    });
    this.child.stdin?.on("error", () => {}); // EPIPE when the sandbox died first
    this.readResults(this.child.stdout!);
    this.readCapped(this.child.stderr!);
    this.ready = new Promise((resolve, reject) => {
      const onReady = (message: RunnerMessage) => {
        if (message.type === "ready") resolve();
      };
      this.onMessage = onReady;
      void this.exited.then(() =>
        reject(new Error(`sandbox exited before it was ready: ${this.stderrTail.slice(-500)}`)),
      );
    });
    this.ready.catch(() => {});
  }

  private command(options: SandboxSpawnOptions): {
    command: string;
    args: string[];
    env: NodeJS.ProcessEnv;
    cwd: string;
  } {
    const { stage, limits, bubblewrap } = options;
    let command: string;
    let args: string[];
    let env: NodeJS.ProcessEnv;
    let cwd = "/";
    if (bubblewrap) {
      command = bubblewrap;
      args = bubblewrapArgs(stage, limits);
      env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    } else {
      // Unsafe mode: same runner, no isolation. Only for trusted, local use.
      this.tmpDir = mkdtempSync(join(tmpdir(), "wirelab-unsafe-"));
      command = stage.nodeBinary;
      args = [...runnerNodeFlags(), join(RUNTIME_DIR, "runner.ts")];
      env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.tmpDir,
        TMPDIR: this.tmpDir,
        WIRELAB_WORK_DIR: join(this.tmpDir, "work"),
        WIRELAB_EXERCISES_DIR: join(stage.appDir, "exercises"),
        WIRELAB_APP_DIR: dirname(stage.nodeModulesDir),
        ...Object.fromEntries(sandboxEnv(limits)),
      };
      cwd = this.tmpDir;
    }
    if (this.cgroup) {
      // Join the cgroup first, then become the sandbox: nothing escapes the limits.
      const joins = this.cgroup.procsFiles.map((file) => `echo $$ > '${file}'`).join(" && ");
      return {
        command: "/bin/sh",
        args: ["-c", `${joins} && exec "$0" "$@"`, command, ...args],
        env,
        cwd,
      };
    }
    return { command, args, env, cwd };
  }

  private readCapped(stream: Readable): void {
    stream.on("data", (chunk: Buffer) => {
      this.outputBytes += chunk.length;
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4000);
      if (this.outputBytes > this.limits.outputBytes && !this.outputExceeded) {
        this.outputExceeded = true;
        this.kill();
      }
    });
    stream.on("error", () => {});
  }

  private readResults(stream: Readable): void {
    let pending = "";
    stream.on("data", (chunk: Buffer) => {
      if (this.resultsExceeded) return;
      this.resultsBytes += chunk.length;
      if (this.resultsBytes > PROTOCOL_LIMITS.resultsBytes) {
        this.resultsExceeded = true;
        this.kill();
        return;
      }
      pending += chunk.toString("utf8");
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        this.acceptLine(line);
      }
    });
    stream.on("error", () => {});
  }

  private acceptLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.rejectedLines++;
      return;
    }
    const message = parsed as RunnerMessage & { nonce?: unknown };
    if (!isValidMessage(parsed) || message.nonce !== this.nonce) {
      this.rejectedLines++;
      return;
    }
    this.messages.push(message);
    this.onMessage?.(message);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /**
   * Hand over one submission and wait for the run to end (results complete,
   * process gone, or time limit). Calls `onMessage` for each accepted message.
   */
  async run(
    submission: { exercise: string; testFiles: string[]; solution: string },
    onMessage: (message: RunnerMessage) => void,
  ): Promise<SandboxOutcome> {
    if (this.used) throw new Error("a sandbox never serves a second submission");
    this.used = true;
    await this.ready;
    const started = performance.now();
    this.nonce = randomBytes(18).toString("base64url");
    this.messages = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.kill();
    }, this.limits.timeLimitMs);
    const done = new Promise<void>((resolve) => {
      this.onMessage = (message) => {
        onMessage(message);
        if (message.type === "done" || message.type === "limit") resolve();
      };
    });
    this.child.stdin!.end(JSON.stringify({ ...submission, nonce: this.nonce }) + "\n");
    await Promise.race([done, this.exited]);
    clearTimeout(timer);
    const complete = this.messages.some((m) => m.type === "done" || m.type === "limit");
    // Results are complete (or never will be): nothing the solution left
    // behind may keep running.
    this.kill();
    // Without results, wait for the end to learn why (OOM kill, pids limit).
    if (!complete) await this.exited;
    const outcome: SandboxOutcome = {
      messages: this.messages,
      rejectedLines: this.rejectedLines,
      timedOut,
      outputExceeded: this.outputExceeded,
      resultsExceeded: this.resultsExceeded,
      oomKilled: !complete && (this.cgroup?.oomKilled() ?? false),
      pidsExhausted: this.cgroup?.pidsExhausted() ?? false,
      exitCode: this.child.exitCode,
      signal: this.child.signalCode,
      stderrTail: this.stderrTail,
      durationMs: performance.now() - started,
    };
    const cleaned = this.exited.then(() => this.cleanup());
    pendingCleanups.add(cleaned);
    void cleaned.finally(() => pendingCleanups.delete(cleaned));
    return outcome;
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  private cleaned: Promise<void> | null = null;
  private cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      this.dead = true;
      await this.cgroup?.destroy();
      if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
    })();
    return this.cleaned;
  }

  /** Kill and wait until everything is gone. */
  async dispose(): Promise<void> {
    this.kill();
    await this.exited;
    await this.cleanup();
  }
}
