/**
 * What does recording cost? Echo round trips on /ws/echo with capture off,
 * capture on (every byte kept: the per-capture limit is raised so nothing is
 * truncated), and capture on with a tap following live.
 *   node bench/capture-cost.ts [--rounds 9] [--latency 1000] [--messages 10000] [--size 1024]
 *
 * The server runs in a child process (as in `npm start`), the clients here.
 * Modes are interleaved round by round; medians are reported. Goal: capture
 * costs ≤ 10% (docs/capture.md has the latest figures).
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";

const { values } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    rounds: { type: "string", default: "9" },
    latency: { type: "string", default: "1000" },
    messages: { type: "string", default: "10000" },
    size: { type: "string", default: "1024" },
  },
});

if (values.serve) {
  const { createSandboxServer } = await import("../sandbox-server/server.ts");
  const { createDemosFeature } = await import("../sandbox-server/demos/index.ts");
  const { createCaptureFeature } = await import("../sandbox-server/capture/index.ts");
  // Every byte kept (a run records ~2 × messages × size bytes); two captures kept at most, so
  // memory stays what a busy classroom server would hold rather than growing run after run.
  const capture = createCaptureFeature({
    limits: { maxBytesPerCapture: 64 * 1024 * 1024, maxCaptures: 2 },
  });
  const server = createSandboxServer({ features: [createDemosFeature(), capture] });
  const port = await server.listen(0, "127.0.0.1");
  process.send?.({ port });
  process.on("message", (message) => {
    if (message === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
} else {
  await runBenchmark();
}

type Mode = "off" | "capture" | "capture+tap";

async function runBenchmark(): Promise<void> {
  const rounds = Number(values.rounds);
  const latencyTrips = Number(values.latency);
  const messages = Number(values.messages);
  const size = Number(values.size);
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { stdio: "inherit" });
  const [{ port }] = (await once(child, "message")) as [{ port: number }];
  const base = `ws://127.0.0.1:${port}`;
  const modes: Mode[] = ["off", "capture", "capture+tap"];
  const results = new Map<Mode, { rtt: number[]; throughput: number[]; cpu: number[] }>(
    modes.map((mode) => [mode, { rtt: [], throughput: [], cpu: [] }]),
  );
  /** Server CPU time (µs, user + system) so far: robust to other load on the machine. */
  const serverCpu = async () => {
    const reply = once(child, "message") as Promise<[{ cpu: number }]>;
    child.send("cpu");
    return (await reply)[0].cpu;
  };
  let serial = 0;

  try {
    // Warm-up: JIT both paths.
    for (const mode of modes) await runMode(mode, 500, 2000, size);
    for (let round = 0; round < rounds; round++) {
      for (const mode of modes) {
        const before = await serverCpu();
        const { rtt, throughput } = await runMode(mode, latencyTrips, messages, size);
        const cpu = ((await serverCpu()) - before) / (latencyTrips + messages);
        results.get(mode)!.rtt.push(rtt);
        results.get(mode)!.throughput.push(throughput);
        results.get(mode)!.cpu.push(cpu);
      }
    }
  } finally {
    const exited = once(child, "exit");
    child.send("exit");
    await exited;
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const off = results.get("off")!;
  console.log(
    `node ${process.version}, ${rounds} rounds, ${latencyTrips} round trips of 64 B, ${messages} pipelined messages of ${size} B`,
  );
  console.log(
    "| mode | server CPU per echo (µs) | vs off | median round trip (µs) | vs off | median throughput (msg/s) | vs off |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const mode of modes) {
    const r = results.get(mode)!;
    const rtt = median(r.rtt);
    const tp = median(r.throughput);
    const cpu = median(r.cpu);
    const cpuDelta = ((cpu / median(off.cpu) - 1) * 100).toFixed(1);
    const rttDelta = ((rtt / median(off.rtt) - 1) * 100).toFixed(1);
    const tpDelta = ((tp / median(off.throughput) - 1) * 100).toFixed(1);
    console.log(
      `| ${mode} | ${cpu.toFixed(1)} | ${mode === "off" ? "" : `${cpuDelta}%`} | ${rtt.toFixed(1)} | ${mode === "off" ? "" : `${rttDelta}%`} | ${Math.round(tp)} | ${mode === "off" ? "" : `${tpDelta}%`} |`,
    );
  }

  async function runMode(mode: Mode, trips: number, count: number, bytes: number) {
    const id = `bench-${process.pid}-${++serial}`;
    const query = mode === "off" ? "" : `?capture=${id}`;
    let tap: WebSocket | undefined;
    let tapped = 0;
    if (mode === "capture+tap") {
      tap = await open(`${base}/ws/tap?capture=${id}`);
      tap.on("message", () => tapped++);
    }
    const socket = await open(`${base}/ws/echo${query}`);
    const small = "x".repeat(64);
    let start = process.hrtime.bigint();
    for (let i = 0; i < trips; i++) {
      const reply = once(socket, "message");
      socket.send(small);
      await reply;
    }
    const rtt = Number(process.hrtime.bigint() - start) / 1000 / trips;

    const payload = Buffer.alloc(bytes, 0x61);
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

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}
