/**
 * Records the captures shipped in `public/captures/` against the real
 * sandbox server (the same features `npm start` runs), so replay on a static
 * host shows real bytes.
 *   node scripts/record-captures.ts [outDir]     (default public/captures)
 *
 * Each scenario opens its connection with `capture=<id>`, waits for the
 * recording's `end` entry and writes one versioned capture file
 * (docs/capture.md); `index.json` lists them in lesson order.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { WebSocket } from "ws";
import {
  entryToJson,
  type CaptureEntryJson,
  type CaptureFeature,
} from "../sandbox-server/capture/index.ts";
import { createFeatures } from "../sandbox-server/features.ts";
import { createSandboxServer } from "../sandbox-server/server.ts";
import {
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_TEXT,
  encodeCloseFrame,
  encodeFrame,
} from "../src/protocol/index.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const outDir = process.argv[2] ?? join(ROOT, "public/captures");

interface Scenario {
  id: string;
  title: string;
  description: string;
  /** Runs the connection; resolves when it has been closed. */
  run(base: { http: string; ws: string; port: number }, captureId: string): Promise<void>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function open(
  url: string,
  options?: ConstructorParameters<typeof WebSocket>[2],
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

function roundTrip(socket: WebSocket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    socket.once("message", () => resolve());
    socket.send(data);
  });
}

function close(socket: WebSocket, code?: number, reason?: string): Promise<void> {
  return new Promise((resolve) => {
    socket.once("close", () => resolve());
    socket.close(code, reason);
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("connect", () => resolve()));
}

/** A fixed masking key per frame, so the file reads like the RFC's examples. */
const key = (...bytes: number[]) => new Uint8Array(bytes);

const scenarios: Scenario[] = [
  {
    id: "text-echo",
    title: "Text echo",
    description:
      "A browser-style client sends two text messages to /ws/echo and gets each back, then closes normally (1000).",
    async run(base, id) {
      const socket = await open(`${base.ws}/ws/echo?capture=${id}`);
      await roundTrip(socket, "Hello, WireLab!");
      await roundTrip(socket, "héllo ✓ (UTF-8 takes more bytes than characters)");
      await close(socket, 1000);
    },
  },
  {
    id: "binary-echo",
    title: "Binary echo",
    description:
      "A binary message (opcode 2) of 16 bytes goes to /ws/echo and comes back unchanged; then a normal close.",
    async run(base, id) {
      const socket = await open(`${base.ws}/ws/echo?capture=${id}`);
      await roundTrip(
        socket,
        Uint8Array.from({ length: 16 }, (_, i) => i * 17),
      );
      await close(socket, 1000);
    },
  },
  {
    id: "fragmented-with-ping",
    title: "A fragmented message with a ping between its fragments",
    description:
      'A hand-written client sends "Hel" (FIN 0), a ping, then "lo" (continuation, FIN 1) to /ws/raw: the server answers the ping first, then echoes the reassembled "Hello". Frames use the RFC 6455 §5.7 masking key.',
    async run(base, id) {
      const socket = connect(base.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.resume();
      socket.write(
        `GET /ws/raw?capture=${id} HTTP/1.1\r\nHost: 127.0.0.1:${base.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
      await delay(30);
      const frames = [
        encodeFrame({
          opcode: OPCODE_TEXT,
          fin: false,
          payload: "Hel",
          mask: true,
          maskingKey: key(0x37, 0xfa, 0x21, 0x3d),
        }),
        encodeFrame({
          opcode: OPCODE_PING,
          payload: "ping!",
          mask: true,
          maskingKey: key(0x12, 0x34, 0x56, 0x78),
        }),
        encodeFrame({
          opcode: OPCODE_CONTINUATION,
          payload: "lo",
          mask: true,
          maskingKey: key(0x9a, 0xbc, 0xde, 0xf0),
        }),
        encodeCloseFrame({ code: 1000, mask: true, maskingKey: key(0x01, 0x02, 0x03, 0x04) }),
      ];
      for (const frame of frames) {
        socket.write(frame);
        await delay(30);
      }
      await closed;
    },
  },
  {
    id: "close-code-reason",
    title: "Closing with a code and a reason",
    description:
      'The client closes with code 4001 and the reason "lesson over"; the server echoes the close frame and ends the TCP connection.',
    async run(base, id) {
      const socket = await open(`${base.ws}/ws/raw?capture=${id}`);
      await roundTrip(socket, "one last message");
      await close(socket, 4001, "lesson over");
    },
  },
  {
    id: "permessage-deflate",
    title: "Compressed messages (permessage-deflate)",
    description:
      "The handshake negotiates permessage-deflate; each message's first frame has RSV1 set and carries DEFLATE data. Repetitive text shrinks a lot; the second message reuses the compression context.",
    async run(base, id) {
      const socket = await open(`${base.ws}/ws/echo-deflate?capture=${id}`, {
        perMessageDeflate: { threshold: 0 },
      });
      await roundTrip(socket, "Hello");
      await roundTrip(socket, "WebSocket ".repeat(20));
      await roundTrip(socket, "WebSocket ".repeat(20));
      await close(socket, 1000);
    },
  },
  {
    id: "socketio-polling-upgrade",
    title: "Socket.IO: long-polling, then the upgrade to WebSocket",
    description:
      "socket.io-client opens with HTTP long-polling (the open packet, the CONNECT 40), then probes a WebSocket (2probe/3probe), sends 5 (upgrade) and carries on over it: two echo events with acknowledgements (42…/43…), then a client disconnect (41). The long-poll still pending at the upgrade returns with what was queued.",
    async run(base, id) {
      const client = io(base.http, { query: { capture: id }, reconnection: false });
      const upgraded = new Promise((resolve) => client.io.engine.once("upgrade", resolve));
      await connected(client);
      await client.emitWithAck("echo", "first echo");
      await upgraded;
      await client.emitWithAck("echo", "second echo");
      client.disconnect();
    },
  },
  {
    id: "socketio-binary-event",
    title: "Socket.IO: a binary event",
    description:
      'An event with a binary argument travels as two frames: 451-0["echo",{"_placeholder":true,"num":0}] then the bytes in a binary frame. The acknowledgement comes back the same way (BINARY_ACK, 6).',
    async run(base, id) {
      const client = io(base.http, {
        query: { capture: id },
        transports: ["websocket"],
        reconnection: false,
      });
      await connected(client);
      await client.emitWithAck("echo", "file", Uint8Array.from([0xde, 0xad, 0xbe, 0xef]));
      client.disconnect();
    },
  },
];

const features = createFeatures({ root: ROOT });
const capture = features.find((feature) => feature.name === "capture") as CaptureFeature;
const server = createSandboxServer({ features });
const port = await server.listen(0, "127.0.0.1");
const base = { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`, port };

function ended(id: string): Promise<CaptureEntryJson[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const entries = capture.store.get(id)?.entries ?? [];
      if (entries.some((entry) => entry.kind === "end")) resolve(entries.map(entryToJson));
      else if (Date.now() - started > 10_000) reject(new Error(`${id}: no end entry after 10 s`));
      else setTimeout(check, 20);
    };
    check();
  });
}

mkdirSync(outDir, { recursive: true });
const index: { id: string; title: string; description: string }[] = [];
try {
  for (const scenario of scenarios) {
    const captureId = `record-${scenario.id}`;
    await scenario.run(base, captureId);
    const entries = await ended(captureId);
    const file = {
      format: "wirelab-capture",
      version: 1,
      title: scenario.title,
      description: scenario.description,
      entries,
    };
    const text = `${JSON.stringify(file, null, 1)}\n`;
    writeFileSync(join(outDir, `${scenario.id}.json`), text);
    index.push({ id: scenario.id, title: scenario.title, description: scenario.description });
    console.log(`${scenario.id}.json: ${entries.length} entries, ${text.length} bytes`);
  }
  writeFileSync(
    join(outDir, "index.json"),
    `${JSON.stringify({ format: "wirelab-capture-index", version: 1, captures: index }, null, 1)}\n`,
  );
} finally {
  await server.close();
}
