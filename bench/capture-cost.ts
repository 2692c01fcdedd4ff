/**
 * What does recording cost? Echo round trips on /ws/echo with capture off
 * and on, in four modes:
 *
 * - `off`: no `capture=` in the URL;
 * - `capture`: recorded with the default limits (512 KiB per capture, then truncated);
 * - `capture, all bytes`: the limit raised to 64 MiB so every byte of the run is copied and kept;
 * - `capture + tap`: as above, with a `/ws/tap` client following live (JSON + base64 per chunk).
 *
 *   node bench/capture-cost.ts [--rounds 9] [--latency 1000] [--messages 10000] [--size 1024]
 *
 * The servers run in child processes (as with `npm start`), the clients here.
 * Modes are interleaved round by round and medians reported. Besides wall
 * time, the server's CPU time per echoed message is measured: it is what
 * capture adds, and it is far less sensitive to other load on the machine.
 * Goal: capture costs ≤ 10% (docs/capture.md has the latest figures).
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";

const { values } = parseArgs({
  options: {
    serve: { type: "string" },
    rounds: { type: "string", default: "9" },
    latency: { type: "string", default: "1000" },
    messages: { type: "string", default: "10000" },
    size: { type: "string", default: "1024" },
  },
});

const MODES = ["off", "capture", "capture, all bytes", "capture + tap"] as const;
type Mode = (typeof MODES)[number];

if (values.serve) await serve(values.serve === "all-bytes");
else await runBenchmark();

/** Child process: the sandbox's demos and capture, answering "cpu" and "exit" over IPC. */
async function serve(allBytes: boolean): Promise<void> {
  const { createSandboxServer } = await import("../sandbox-server/server.ts");
  const { createDemosFeature } = await import("../sandbox-server/demos/index.ts");
  const { createCaptureFeature } = await import("../sandbox-server/capture/index.ts");
  // All bytes: a run records ~2 × messages × size bytes; two captures kept at most, so
  // memory stays bounded instead of growing run after run.
  const capture = createCaptureFeature(
    allBytes ? { limits: { maxBytesPerCapture: 64 * 1024 * 1024, maxCaptures: 2 } } : {},
  );
  const server = createSandboxServer({ features: [createDemosFeature(), capture] });
  const port = await server.listen(0, "127.0.0.1");
  process.on("message", (message) => {
    if (message === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
  process.send?.({ port });
}

interface Server {
  child: ChildProcess;
  base: string;
}

async function startServer(kind: "default" | "all-bytes"): Promise<Server> {
  const child = fork(new URL(import.meta.url).pathname, ["--serve", kind], { stdio: "inherit" });
  const [{ port }] = (await once(child, "message")) as [{ port: number }];
  return { child, base: `ws://127.0.0.1:${port}` };
}

/** Server CPU time (µs, user + system) so far. */
async function serverCpu(server: Server): Promise<number> {
  const reply = once(server.child, "message") as Promise<[{ cpu: number }]>;
  server.child.send("cpu");
  return (await reply)[0].cpu;
}

async function runBenchmark(): Promise<void> {
  const rounds = Number(values.rounds);
  const trips = Number(values.latency);
  const messages = Number(values.messages);
  const size = Number(values.size);
  const [defaults, allBytes] = await Promise.all([
    startServer("default"),
    startServer("all-bytes"),
  ]);
  const serverFor = (mode: Mode) => (mode === "off" || mode === "capture" ? defaults : allBytes);
  const results = new Map<Mode, { rtt: number[]; throughput: number[]; cpu: number[] }>(
    MODES.map((mode) => [mode, { rtt: [], throughput: [], cpu: [] }]),
  );
  let serial = 0;

  try {
    for (const mode of MODES) await runMode(mode, 300, 2000); // warm-up (JIT)
    for (let round = 0; round < rounds; round++) {
      for (const mode of MODES) {
        const server = serverFor(mode);
        const before = await serverCpu(server);
        const { rtt, throughput } = await runMode(mode, trips, messages);
        const cpu = ((await serverCpu(server)) - before) / (trips + messages);
        const result = results.get(mode)!;
        result.rtt.push(rtt);
        result.throughput.push(throughput);
        result.cpu.push(cpu);
      }
    }
  } finally {
    for (const server of [defaults, allBytes]) {
      const exited = once(server.child, "exit");
      server.child.send("exit");
      await exited;
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const off = results.get("off")!;
  const delta = (mode: Mode, value: number, base: number) =>
    mode === "off" ? "" : `${value >= base ? "+" : ""}${((value / base - 1) * 100).toFixed(1)}%`;
  console.log(
    `node ${process.version}; ${rounds} rounds; ${trips} sequential round trips of 64 B; ${messages} pipelined messages of ${size} B`,
  );
  console.log(
    "| mode | server CPU per echo (µs) | vs off | round trip (µs) | vs off | throughput (msg/s) | vs off |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const mode of MODES) {
    const r = results.get(mode)!;
    const [cpu, rtt, tp] = [median(r.cpu), median(r.rtt), median(r.throughput)];
    console.log(
      `| ${mode} | ${cpu.toFixed(1)} | ${delta(mode, cpu, median(off.cpu))} | ${rtt.toFixed(1)} | ${delta(mode, rtt, median(off.rtt))} | ${Math.round(tp)} | ${delta(mode, tp, median(off.throughput))} |`,
    );
  }

  await recorderCost();

  async function runMode(mode: Mode, trips: number, count: number) {
    const { base } = serverFor(mode);
    const id = `bench-${process.pid}-${++serial}`;
    let tap: WebSocket | undefined;
    let tapped = 0;
    if (mode === "capture + tap") {
      tap = await open(`${base}/ws/tap?capture=${id}`);
      tap.on("message", () => tapped++);
    }
    const socket = await open(`${base}/ws/echo${mode === "off" ? "" : `?capture=${id}`}`);
    const small = "x".repeat(64);
    let start = process.hrtime.bigint();
    for (let i = 0; i < trips; i++) {
      const reply = once(socket, "message");
      socket.send(small);
      await reply;
    }
    const rtt = Number(process.hrtime.bigint() - start) / 1000 / trips;

    const payload = Buffer.alloc(size, 0x61);
    start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      let received = 0;
      socket.on("message", () => {
        if (++received === count) resolve();
      });
      for (let i = 0; i < count; i++) socket.send(payload);
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const closed = once(socket, "close");
    socket.close();
    await closed;
    tap?.close();
    if (tap && tapped === 0) throw new Error("the tap saw nothing");
    return { rtt, throughput: count / seconds };
  }
}

/**
 * The recorder's own work per chunk, in this process (no network, so little
 * noise): copying a chunk into a capture and adding its entry, and what a
 * live tap adds (base64 + JSON). Default limits: captures fill up to 512 KiB
 * and new ones start, as when many students record. Two chunks per echo.
 */
async function recorderCost(): Promise<void> {
  const { CaptureStore, serializeEntry } = await import("../sandbox-server/capture/index.ts");
  for (const size of [64, 1024]) {
    const store = new CaptureStore();
    const chunk = Buffer.alloc(size, 0x61);
    const perCapture = Math.floor(store.limits.maxBytesPerCapture / (size + 64)) - 1;
    const chunks = 400_000;
    let capture = store.open("micro-0000");
    let serial = 0;
    const record = (i: number) => {
      if (i % perCapture === 0) capture = store.open(`micro-${++serial}`);
      capture.addData(i & 1 ? "server" : "client", 1, chunk);
    };
    const measure = (work: (i: number) => void) => {
      for (let i = 0; i < 20_000; i++) work(i); // warm-up
      const start = process.cpuUsage();
      for (let i = 0; i < chunks; i++) work(i);
      const used = process.cpuUsage(start);
      return ((used.user + used.system) * 1000) / chunks; // ns per chunk
    };
    const recordNs = measure(record);
    const tapNs = measure((i) => {
      record(i);
      serializeEntry(capture.entries[capture.entries.length - 1]);
    });
    console.log(
      `recorder in process, ${size} B chunks: ${recordNs.toFixed(0)} ns per chunk recorded, ` +
        `${tapNs.toFixed(0)} ns with a tap's JSON (${((2 * recordNs) / 1000).toFixed(2)} µs / ` +
        `${((2 * tapNs) / 1000).toFixed(2)} µs per echo)`,
    );
  }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}
