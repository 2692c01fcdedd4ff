/**
 * Memory and process limits through cgroups, v1 or v2, whichever this host
 * lets us write. One cgroup per sandbox, created before the sandbox starts
 * (a small shell joins it and then `exec`s bubblewrap, so not a single
 * sandboxed process runs outside it), removed after it ends.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type CgroupVersion = "v1" | "v2" | "none";

export interface CgroupLimits {
  /** Memory limit per sandbox, bytes (swap included where the host counts it). */
  memoryBytes: number;
  /** Most processes + threads per sandbox. */
  pids: number;
}

/** A cgroup made for one sandbox. */
export interface SandboxCgroup {
  /** Files a process writes its pid into to join (`cgroup.procs`). */
  procsFiles: string[];
  /** True when the kernel OOM-killed something in this cgroup. */
  oomKilled(): boolean;
  /** True when a fork failed because of the pids limit. */
  pidsExhausted(): boolean;
  /** Kill everything left inside and remove the cgroup. */
  destroy(): Promise<void>;
}

export interface CgroupManager {
  version: CgroupVersion;
  /** Why cgroups are or are not used, in words for the start-up banner. */
  detail: string;
  create(name: string): SandboxCgroup | null;
  close(): Promise<void>;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

/** `/proc/self/cgroup` lines: `id:controllers:path`. */
function ownCgroupPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of read("/proc/self/cgroup").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === "") paths.set("", match[2]);
    for (const controller of match[1].split(",")) if (controller) paths.set(controller, match[2]);
  }
  return paths;
}

function killAll(procsFile: string): void {
  for (let round = 0; round < 20; round++) {
    const pids = read(procsFile).split("\n").filter(Boolean).map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

async function removeDir(dir: string, procsFile: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    killAll(procsFile);
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      // EBUSY while the last processes are being reaped: retry shortly.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function counter(text: string, key: string): number {
  const match = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

function createV1(limits: CgroupLimits, tag: string): CgroupManager | string {
  const own = ownCgroupPaths();
  const parents: Record<"memory" | "pids", string> = { memory: "", pids: "" };
  for (const controller of ["memory", "pids"] as const) {
    const mount = join(CGROUP_ROOT, controller);
    if (!existsSync(join(mount, "cgroup.procs")))
      return `no cgroup v1 ${controller} hierarchy at ${mount}`;
    const parent = join(mount, own.get(controller) ?? "/", tag);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (error) {
      return `cannot create ${parent}: ${(error as Error).message}`;
    }
    parents[controller] = parent;
  }
  const hasMemsw = existsSync(join(parents.memory, "memory.memsw.limit_in_bytes"));
  return {
    version: "v1",
    detail: `cgroup v1 (${parents.memory}, ${parents.pids})`,
    create(name) {
      const memory = join(parents.memory, name);
      const pids = join(parents.pids, name);
      try {
        mkdirSync(memory);
        mkdirSync(pids);
        writeFileSync(join(memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
        if (hasMemsw)
          tryWrite(join(memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
        tryWrite(join(memory, "memory.swappiness"), "0");
        writeFileSync(join(pids, "pids.max"), String(limits.pids));
      } catch {
        void removeDir(memory, join(memory, "cgroup.procs"));
        void removeDir(pids, join(pids, "cgroup.procs"));
        return null;
      }
      return {
        procsFiles: [join(memory, "cgroup.procs"), join(pids, "cgroup.procs")],
        oomKilled() {
          const control = read(join(memory, "memory.oom_control"));
          if (counter(control, "oom_kill") > 0) return true;
          return (
            Number(read(join(memory, "memory.failcnt")) || 0) > 0 &&
            counter(control, "under_oom") > 0
          );
        },
        pidsExhausted() {
          return counter(read(join(pids, "pids.events")), "max") > 0;
        },
        async destroy() {
          await removeDir(pids, join(pids, "cgroup.procs"));
          await removeDir(memory, join(memory, "cgroup.procs"));
        },
      };
    },
    async close() {
      for (const parent of [parents.memory, parents.pids])
        await removeDir(parent, join(parent, "cgroup.procs"));
    },
  };
}

function createV2(limits: CgroupLimits, tag: string): CgroupManager | string {
  const own = ownCgroupPaths().get("") ?? "/";
  const ownDir = join(CGROUP_ROOT, own);
  const needed = ["memory", "pids"];
  const enabled = (dir: string) => read(join(dir, "cgroup.subtree_control")).split(/\s+/);
  const available = read(join(ownDir, "cgroup.controllers")).split(/\s+/);
  const missing = needed.filter((c) => !available.includes(c));
  if (missing.length > 0)
    return `cgroup v2 controllers not delegated to ${ownDir}: ${missing.join(", ")}`;

  // cgroup v2's "no internal processes" rule: controllers can only be
  // enabled for children of a cgroup that holds no processes itself. When
  // ours still holds this server, move the server into a leaf first.
  if (!needed.every((c) => enabled(ownDir).includes(c))) {
    const leaf = join(ownDir, `${tag}-server`);
    try {
      mkdirSync(leaf, { recursive: true });
      for (const pid of read(join(ownDir, "cgroup.procs")).split("\n").filter(Boolean)) {
        tryWrite(join(leaf, "cgroup.procs"), pid);
      }
      writeFileSync(join(ownDir, "cgroup.subtree_control"), "+memory +pids");
    } catch (error) {
      return `cannot enable memory and pids controllers in ${ownDir}: ${(error as Error).message}`;
    }
  }
  const parent = join(ownDir, tag);
  try {
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, "cgroup.subtree_control"), "+memory +pids");
  } catch (error) {
    return `cannot create ${parent}: ${(error as Error).message}`;
  }
  return {
    version: "v2",
    detail: `cgroup v2 (${parent})`,
    create(name) {
      const dir = join(parent, name);
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
        tryWrite(join(dir, "memory.swap.max"), "0");
        tryWrite(join(dir, "memory.oom.group"), "1");
        writeFileSync(join(dir, "pids.max"), String(limits.pids));
      } catch {
        void removeDir(dir, join(dir, "cgroup.procs"));
        return null;
      }
      const procs = join(dir, "cgroup.procs");
      return {
        procsFiles: [procs],
        oomKilled: () => counter(read(join(dir, "memory.events")), "oom_kill") > 0,
        pidsExhausted: () => counter(read(join(dir, "pids.events")), "max") > 0,
        async destroy() {
          // cgroup.kill (Linux 5.14+) kills the whole subtree atomically.
          tryWrite(join(dir, "cgroup.kill"), "1");
          await removeDir(dir, procs);
        },
      };
    },
    async close() {
      await removeDir(parent, join(parent, "cgroup.procs"));
    },
  };
}

/**
 * Find a cgroup hierarchy this process may write and set up a parent group
 * for sandboxes. Falls back to `none` with the reason.
 */
export function createCgroupManager(
  limits: CgroupLimits,
  mode: "auto" | "off" = "auto",
): CgroupManager {
  const none = (detail: string): CgroupManager => ({
    version: "none",
    detail,
    create: () => null,
    close: async () => {},
  });
  if (mode === "off") return none("cgroups disabled by configuration");
  if (process.platform !== "linux") return none("cgroups need Linux");
  const tag = `wirelab-grading-${process.pid}`;
  const isV2 = existsSync(join(CGROUP_ROOT, "cgroup.controllers"));
  const result = isV2 ? createV2(limits, tag) : createV1(limits, tag);
  if (typeof result === "string") {
    return none(`no writable cgroup (${result}): memory and process limits are NOT enforced`);
  }
  return result;
}
