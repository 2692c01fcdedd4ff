/**
 * One bubblewrap sandbox: a Node process in its own namespaces and cgroup.
 * Grading uses two kinds (see `slot.ts`): the long-lived *runner* (vitest's
 * main process, trusted code only) and, per submission, a fresh *worker*
 * (vitest's worker, where the student's code runs).
 *
 * Inside every sandbox the file system is:
 *
 * | path                  | what                                             | mode |
 * | --------------------- | ------------------------------------------------ | ---- |
 * | `/usr`, `/bin`, `/lib*` | the host's system directories                  | ro   |
 * | `/etc`                | a generated minimal `passwd`, `group`, `hosts`   | ro   |
 * | `/opt/node/bin/node`  | the Node binary running this server              | ro   |
 * | `/app/grading`        | copies of `runtime/*.ts` (the trusted runner)    | ro   |
 * | `/app/exercises`      | copies of every exercise's test files            | ro   |
 * | `/app/node_modules`   | the project's `node_modules`                     | ro   |
 * | `/tmp`                | a small tmpfs of its own: the only writable place | rw   |
 * | `/proc`, `/dev`       | the sandbox's own                                | -    |
 *
 * Nothing else of the host exists in there: not the project, not `/root`,
 * not the server's data directory, not another sandbox's `/tmp`.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
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

const RUNTIME_DIR = join(dirname(fileURLToPath(import.meta.url)), "runtime");
const RUNTIME_FILES = ["runner.ts", "setup.ts", "protocol.ts", "entry.test.ts"];

export interface SandboxLimits {
  /** Wall-clock limit for one submission, from the moment it is handed over (ms). */
  timeLimitMs: number;
  /** Per-test timeout inside vitest (ms). */
  testTimeoutMs: number;
  /** Size of the writable tmpfs (bytes). */
  tmpfsBytes: number;
  /** V8 heap limit of the worker, where the tests run (MiB). */
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

/** Where things are inside a sandbox (or on the host, without bubblewrap). */
export interface SandboxPaths {
  node: string;
  runner: string;
  appDir: string;
  exercisesDir: string;
  /** vitest's worker entry: the only program a worker sandbox may start. */
  workerEntry: string;
}

export function sandboxPaths(stage: SandboxStage, sandboxed: boolean): SandboxPaths {
  if (sandboxed) {
    return {
      node: "/opt/node/bin/node",
      runner: "/app/grading/runner.ts",
      appDir: "/app",
      exercisesDir: "/app/exercises",
      workerEntry: "/app/node_modules/vitest/dist/workers/forks.js",
    };
  }
  return {
    node: stage.nodeBinary,
    runner: join(RUNTIME_DIR, "runner.ts"),
    appDir: dirname(stage.nodeModulesDir),
    exercisesDir: join(stage.appDir, "exercises"),
    workerEntry: join(stage.nodeModulesDir, "vitest/dist/workers/forks.js"),
  };
}

function bubblewrapArgs(
  stage: SandboxStage,
  limits: SandboxLimits,
  env: Array<[string, string]>,
  argv: string[],
): string[] {
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
    ...[
      ["PATH", "/opt/node/bin:/usr/bin:/bin"],
      ["HOME", "/tmp"],
      ["TMPDIR", "/tmp"],
      ...env,
    ].flatMap(([key, value]) => ["--setenv", key, value]),
    ...argv,
  ];
}

/** Environment of every sandboxed process. */
export function sandboxEnv(limits: SandboxLimits): Array<[string, string]> {
  return [
    ["NODE_ENV", "test"],
    ...(process.env.WIRELAB_DEBUG ? [["WIRELAB_DEBUG", "1"] as [string, string]] : []),
    ["CI", "1"],
    ["NO_COLOR", "1"],
    ["FORCE_COLOR", "0"],
    ["WIRELAB_TEST_TIMEOUT", String(limits.testTimeoutMs)],
    ["WIRELAB_OUTPUT_BYTES", String(limits.outputBytes)],
  ];
}

export interface SandboxProcessOptions {
  stage: SandboxStage;
  limits: SandboxLimits;
  cgroups: CgroupManager;
  /** Path to `bwrap`, or null to run without a sandbox (unsafe). */
  bubblewrap: string | null;
  /** Node's arguments (flags and script), as paths inside the sandbox. */
  nodeArgs: string[];
  env: Array<[string, string]>;
  /** Count stdout and stderr against `limits.outputBytes` (and kill past it). */
  countOutput: boolean;
}

let sandboxCounter = 0;
/** Cleanups still running (cgroup removal after a sandbox ended). */
const pendingCleanups = new Set<Promise<void>>();

/** Resolves when every sandbox started so far has been cleaned up. */
export async function allSandboxesCleaned(): Promise<void> {
  while (pendingCleanups.size > 0) await Promise.all([...pendingCleanups]);
}

/**
 * A sandboxed Node process with stdin, stdout, stderr and an IPC channel
 * (fd 3). Killing is idempotent and reaches everything it started.
 */
export class SandboxProcess {
  readonly id: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly cgroup: SandboxCgroup | null;
  private limits: SandboxLimits;
  private dead = false;
  private tmpDir: string | null = null;
  private outputBytes = 0;
  outputExceeded = false;
  stderrTail = "";
  /** Read from the cgroup when the process ended, before the cgroup is removed. */
  oomKilled = false;
  pidsExhausted = false;

  constructor(options: SandboxProcessOptions) {
    this.id = `s${process.pid}-${++sandboxCounter}`;
    this.limits = options.limits;
    this.cgroup = options.cgroups.create(this.id);
    const { command, args, env, cwd } = this.command(options);
    this.child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      env,
      cwd,
      detached: true, // own process group: one kill reaches bwrap and all it started
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", () => resolve());
      this.child.once("error", () => resolve());
    });
    this.child.stdin!.on("error", () => {}); // EPIPE when the sandbox died first
    this.child.on("error", () => {}); // IPC writes into a dead sandbox
    this.watchOutput(this.child.stderr!, options.countOutput);
    if (options.countOutput) this.watchOutput(this.child.stdout!, true);
    void this.exited.then(() => {
      this.dead = true;
      this.oomKilled = this.cgroup?.oomKilled() ?? false;
      this.pidsExhausted = this.cgroup?.pidsExhausted() ?? false;
      const cleaned = this.cleanup();
      pendingCleanups.add(cleaned);
      void cleaned.finally(() => pendingCleanups.delete(cleaned));
    });
  }

  private command(options: SandboxProcessOptions): {
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
      // Node finds its IPC channel through these; bwrap cleared the environment.
      const ipcEnv: Array<[string, string]> = [
        ["NODE_CHANNEL_FD", "3"],
        ["NODE_CHANNEL_SERIALIZATION_MODE", "advanced"],
      ];
      args = bubblewrapArgs(
        stage,
        limits,
        [...options.env, ...ipcEnv],
        ["/opt/node/bin/node", ...options.nodeArgs],
      );
      env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    } else {
      // Unsafe mode: same processes, no isolation. Only for trusted, local use.
      this.tmpDir = mkdtempSync(join(tmpdir(), "wirelab-unsafe-"));
      command = stage.nodeBinary;
      args = options.nodeArgs;
      env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.tmpDir,
        TMPDIR: this.tmpDir,
        WIRELAB_WORK_DIR: join(this.tmpDir, "work"),
        ...Object.fromEntries(options.env),
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

  private watchOutput(stream: Readable, counted: boolean): void {
    stream.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4000);
      if (!counted) return;
      this.outputBytes += chunk.length;
      if (this.outputBytes > this.limits.outputBytes && !this.outputExceeded) {
        this.outputExceeded = true;
        this.kill();
      }
    });
    stream.on("error", () => {});
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Send on the IPC channel, if the sandbox is still there. */
  send(message: unknown): void {
    if (!this.dead && this.child.connected) this.child.send(message as object, () => {});
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
