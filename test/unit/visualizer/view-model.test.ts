import { describe, expect, it } from "vitest";
import { base64Encode, encodeFrame, frameLayout, hexToBytes } from "../../../src/protocol/index.ts";
import {
  formatCaptureFile,
  readCaptureFile,
  type CaptureEntry,
} from "../../../src/components/visualizer/capture-format.ts";
import { sampleCapture } from "../../../src/components/visualizer/sample-capture.ts";
import { Session } from "../../../src/components/visualizer/session.ts";
import {
  bitRows,
  fieldByteRange,
  formatPosition,
  fragmentGroup,
  itemSteps,
  itemSummary,
  move,
  parsePosition,
  visibleRange,
} from "../../../src/components/visualizer/view-model.ts";

const HANDSHAKE: CaptureEntry = sampleCapture().entries[0];

function data(direction: "client" | "server", bytes: Uint8Array): CaptureEntry {
  return { kind: "data", direction, bytes: base64Encode(bytes) };
}

describe("bit diagram rows", () => {
  it("lays out a masked 5-byte frame as RFC 6455 §5.2 draws it", () => {
    const rows = bitRows(frameLayout({ payloadLength7: 5, masked: true, payloadLength: 5 }));
    // Row 0: FIN RSV1-3 opcode MASK len + the first half of the masking key.
    expect(rows[0].segments.map((s) => [s.field, s.startBit, s.width])).toEqual([
      ["fin", 0, 1],
      ["rsv1", 1, 1],
      ["rsv2", 2, 1],
      ["rsv3", 3, 1],
      ["opcode", 4, 4],
      ["mask", 8, 1],
      ["payloadLength", 9, 7],
      ["maskingKey", 16, 16],
    ]);
    expect(rows[0].segments[7].continues).toBe(true);
    // Row 1: the rest of the key, then the first two payload bytes.
    expect(rows[1].segments.map((s) => [s.field, s.startBit, s.width, s.payloadByte])).toEqual([
      ["maskingKey", 0, 16, undefined],
      ["payload", 16, 8, 0],
      ["payload", 24, 8, 1],
    ]);
    expect(rows[1].segments[0].continued).toBe(true);
    expect(rows[2].segments.map((s) => s.payloadByte)).toEqual([2, 3, 4]);
  });

  it("splits a 64-bit extended length over rows and summarises a long payload", () => {
    const rows = bitRows(
      frameLayout({ payloadLength7: 127, masked: false, payloadLength: 65536 }),
      4,
    );
    const length = rows.flatMap((row) =>
      row.segments.filter((s) => s.field === "extendedPayloadLength64").map((s) => s.width),
    );
    expect(length).toEqual([16, 32, 16]);
    const more = rows.at(-1)!.segments.at(-1)!;
    expect(more.moreBytes).toBe(65532);
    expect(more.startBit + more.width).toBe(32);
  });

  it("highlights the bytes a field's bits touch", () => {
    expect(fieldByteRange({ bitOffset: 0, bitWidth: 1 })).toEqual([0, 1]);
    expect(fieldByteRange({ bitOffset: 9, bitWidth: 7 })).toEqual([1, 2]);
    expect(fieldByteRange({ bitOffset: 16, bitWidth: 32 })).toEqual([2, 6]);
  });
});

describe("session timeline and steps", () => {
  it("steps through the parser's trace of the RFC's masked Hello, byte by byte through the mask", () => {
    const session = Session.from([
      HANDSHAKE,
      data("client", hexToBytes("81853 7fa213d7f9f4d5158".replace(" ", ""))),
    ]);
    const frame = session.items[1];
    expect(frame.kind).toBe("frame");
    const steps = itemSteps(session, frame);
    const labels = steps.map((step) => step.label);
    expect(labels.slice(0, 9)).toEqual([
      "FIN",
      "RSV1",
      "RSV2",
      "RSV3",
      "opcode",
      "MASK",
      "Payload len",
      "Masking-key",
      "Payload data",
    ]);
    expect(steps[4].value).toBe("0x1 text (0001)");
    expect(steps[7].value).toBe("37 fa 21 3d");
    expect(steps[7].bytes).toEqual([2, 6]);
    // 0x7f XOR 0x37 = 0x48 "H"
    expect(steps[9]).toMatchObject({ kind: "byte", payloadByte: 0, bytes: [6, 7] });
    expect(steps[9].value).toBe("0x7f ⊕ 0x37 = 0x48 “H”");
    expect(steps.at(-2)!.kind).toBe("frame");
    expect(steps.at(-1)!.text).toContain("Hello");
  });

  it("shows need-more steps where a TCP chunk ended inside a frame", () => {
    const frame = encodeFrame({
      opcode: 1,
      payload: "Hello",
      mask: true,
      maskingKey: hexToBytes("37fa213d"),
    });
    const session = Session.from([
      data("client", frame.subarray(0, 3)),
      data("client", frame.subarray(3)),
    ]);
    const item = session.items[0];
    expect(item.kind === "frame" && item.chunkCount).toBe(2);
    const need = itemSteps(session, item).find((step) => step.kind === "need-more")!;
    expect(need.value).toBe("need 3 more bytes");
    expect(need.boundary).toBe(3);
  });

  it("shows a frame still waiting for bytes as pending", () => {
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(300) });
    const session = Session.from([HANDSHAKE, data("server", frame.subarray(0, 10))]);
    const timeline = session.timeline();
    const pending = timeline.at(-1)!;
    expect(pending.kind).toBe("pending");
    const steps = itemSteps(session, pending);
    expect(steps.map((s) => s.label)).toContain("Extended payload length (16)");
    // 6 payload bytes already arrived with the header.
    expect(steps.at(-1)!.value).toBe("need 294 more bytes");
    expect(itemSummary(pending)).toBe("waiting for bytes (10 received)");
  });

  it("groups fragments, keeps the interleaved ping in its place, and names the close code", () => {
    const session = Session.from(sampleCapture().entries);
    const clientFrames = session.items.filter(
      (item) => item.kind === "frame" && item.direction === "client",
    );
    const summaries = clientFrames.map(itemSummary);
    expect(summaries).toEqual([
      "text 5 B · Hello",
      "text 3 B · fragment 1/2",
      "ping 5 B · Hello",
      "continuation 2 B · fragment 2/2 · Hello",
      "close 6 B · 1000 Normal Closure “Bye!”",
    ]);
    const ping = clientFrames[2];
    expect(ping.kind === "frame" && ping.interleaved).toBe(true);
    const last = clientFrames[3];
    expect(last.kind === "frame" && last.message?.interleaved).toEqual([2]);
    // The continuation's trace is the parser's own: it is parsed from the message's first frame.
    const steps = itemSteps(session, last);
    expect(steps[4].value).toBe("0x0 continuation (0000)");
    expect(steps.find((s) => s.kind === "message")!.text).toContain("reassembled from 2 frames");
  });

  it("computes Sec-WebSocket-Accept step by step and checks the server's answer", () => {
    const session = Session.from([HANDSHAKE]);
    const steps = itemSteps(session, session.items[0]);
    expect(steps.find((s) => s.target === "concat")!.value).toBe(
      "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
    );
    expect(steps.find((s) => s.target === "base64")!.value).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(steps.find((s) => s.target === "accept")!.value).toContain("✓ matches");
  });

  it("reports a protocol error on the frame that broke the stream", () => {
    const session = Session.from([HANDSHAKE, data("client", hexToBytes("810548656c6c6f"))]);
    const error = session.items[1];
    expect(error.kind).toBe("error");
    const steps = itemSteps(session, error);
    expect(steps.at(-1)).toMatchObject({
      kind: "error",
      label: "Protocol error WS_ERR_EXPECTED_MASK",
    });
    expect(steps.at(-1)!.value).toBe("close 1002 Protocol Error");
  });

  it("decodes Engine.IO and Socket.IO on top of WebSocket messages and polling bodies", () => {
    const handshake: CaptureEntry = {
      kind: "handshake",
      request:
        "GET /socket.io/?EIO=4&transport=websocket&sid=abc HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      response:
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    };
    const session = Session.from([
      { kind: "http", method: "POST", url: "/socket.io/?EIO=4&transport=polling", body: "40" },
      { kind: "http", method: "GET", status: 200, body: '40{"sid":"x1"}\x1e42["chat","hi"]' },
      handshake,
      data("client", encodeFrame({ opcode: 1, payload: '42["chat","hi"]', mask: true })),
    ]);
    const polling = session.items[1];
    expect(polling.kind === "http" && polling.direction).toBe("server");
    expect(itemSteps(session, polling)[2].text).toBe(
      "Engine.IO message → Socket.IO EVENT → event chat, args [hi]",
    );
    const frame = session.items[3];
    expect(frame.kind === "frame" && frame.message?.socketIo?.description).toBe(
      "Engine.IO message → Socket.IO EVENT → event chat, args [hi]",
    );
  });
});

describe("fragment groups", () => {
  it("keeps only the control frames between the first and the last fragment", () => {
    const group = fragmentGroup([1, 2, 4], [0, 3, 5]);
    expect(group.interleaved).toEqual([3]);
    expect(group.position(4)).toBe(3);
    expect(group.position(3)).toBe(0);
  });
});

describe("position in the URL", () => {
  it("round-trips capture, frame and step", () => {
    const hash = formatPosition({ capture: "text-echo", frame: 4, step: 12 });
    expect(hash).toBe("#capture=text-echo&frame=4&step=12");
    expect(parsePosition(hash)).toEqual({ capture: "text-echo", frame: 4, step: 12 });
  });

  it("ignores bad values and keeps unrelated parameters", () => {
    expect(parsePosition("#capture=../etc&frame=-1&step=x")).toEqual({
      capture: undefined,
      frame: 0,
      step: 0,
    });
    expect(formatPosition({ frame: 1, step: 2 }, "#theme=dark")).toBe("#theme=dark&frame=1&step=2");
  });
});

describe("navigation", () => {
  const counts = [3, 1, 2];
  const count = (i: number) => counts[i];
  it("steps across items and jumps by item", () => {
    expect(move({ item: 0, step: 2 }, "next", 3, count)).toEqual({ item: 1, step: 0 });
    expect(move({ item: 1, step: 0 }, "previous", 3, count)).toEqual({ item: 0, step: 2 });
    expect(move({ item: 0, step: 1 }, "next-item", 3, count)).toEqual({ item: 1, step: 0 });
    expect(move({ item: 2, step: 1 }, "previous-item", 3, count)).toEqual({ item: 1, step: 0 });
    expect(move({ item: 2, step: 1 }, "next", 3, count)).toEqual({ item: 2, step: 1 });
    expect(move({ item: 1, step: 0 }, "end", 3, count)).toEqual({ item: 2, step: 0 });
    expect(move({ item: 1, step: 0 }, "home", 3, count)).toEqual({ item: 0, step: 0 });
  });

  it("renders only the visible rows of a long list", () => {
    expect(visibleRange(34_000, 340, 34, 100_000, 2)).toEqual({ start: 998, end: 1012 });
  });
});

describe("capture files", () => {
  it("round-trips the versioned JSON and explains what is wrong with a bad file", () => {
    const text = formatCaptureFile(sampleCapture());
    const read = readCaptureFile(text);
    expect(read.ok && read.capture.entries.length).toBe(sampleCapture().entries.length);
    expect(readCaptureFile("{")).toEqual({ ok: false, error: "The file is not JSON." });
    const wrongVersion = readCaptureFile({ format: "wirelab-capture", version: 2, entries: [] });
    expect(wrongVersion.ok).toBe(false);
    const badEntry = readCaptureFile({
      format: "wirelab-capture",
      version: 1,
      entries: [{ kind: "data", direction: "up", bytes: "" }],
    });
    expect(badEntry).toEqual({ ok: false, error: 'Entry 0 needs direction "client" or "server".' });
  });
});
