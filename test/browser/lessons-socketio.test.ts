import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { DIST, startSandbox, type RunningSandbox } from "../support/sandbox.ts";

/** The built site to serve; WIRELAB_SITE_DIR points at another build (e.g. `astro build --outDir`). */
const SITE_DIR = process.env.WIRELAB_SITE_DIR ?? DIST;
/** Generous: these tests drive real connections, and the machine may be busy building. */
const TIMEOUT = 90_000;
/** For `expect.poll`: connecting over long-polling can take seconds on a loaded machine. */
const SLOW = { timeout: 15_000 };

/** Text of every entry of a demo log. */
async function logText(log: Locator): Promise<string> {
  return (await log.locator("li").allTextContents()).join("\n");
}

describe.runIf(browserAvailable())("Socket.IO lessons in Chromium", () => {
  let browser: Browser;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox(undefined, SITE_DIR)]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${sandbox.http}${path}`);
    page.once("close", () => expect(errors).toEqual([]));
    return page;
  }

  describe("lesson 4: Socket.IO basics", () => {
    const LESSON = "/lessons/socket-io-basics/";

    it(
      "shows why a plain WebSocket to /socket.io/ fails, then speaks Engine.IO by hand",
      async () => {
        const page = await open(LESSON);
        const demo = page.locator("plain-websocket-probe");
        await demo.getByRole("button", { name: /1\./ }).click();
        const refused = demo.locator("[data-role=explain-refused]");
        await refused.waitFor({ state: "visible" });
        expect(await refused.textContent()).toContain("1006");
        const log = demo.locator("[data-role=log]");
        expect(await logText(log)).toMatch(/HTTP 400/);

        await demo.getByRole("button", { name: /2\./ }).click();
        const engine = demo.locator("[data-role=explain-engine]");
        await engine.waitFor({ state: "visible" });
        expect(await logText(log)).toMatch(/↓ frame0\{"sid":/);

        await demo.getByRole("button", { name: "40", exact: true }).click();
        await expect.poll(() => logText(log), SLOW).toMatch(/↓ frame40\{"sid":/);
        await demo.getByRole("button", { name: '421["echo","hi"]' }).click();
        await expect.poll(() => logText(log), SLOW).toContain('431[["hi"]]');
        await demo.getByRole("button", { name: "hello", exact: true }).click();
        await expect.poll(() => logText(log), SLOW).toMatch(/close: code \d+/);
        await page.close();
      },
      TIMEOUT,
    );

    it(
      "emits with acknowledgements, binary and a timeout, and shows the packets",
      async () => {
        const page = await open(LESSON);
        const demo = page.locator("events-and-acks");
        await demo.getByRole("button", { name: "Connect", exact: true }).click();
        await expect.poll(() => demo.getByRole("status").textContent(), SLOW).toBe("connected");
        const log = demo.locator("[data-role=log]");

        await demo.getByRole("button", { name: /^emitWithAck/ }).click();
        await expect.poll(() => logText(log), SLOW).toContain("resolved after");
        expect(await logText(log)).toMatch(/↑ wire42\d+\["echo","hello, wire"\]/);
        expect(await logText(log)).toMatch(/↓ wire43\d+\[\["hello, wire"\]\]/);

        await demo.getByRole("button", { name: "+ binary" }).click();
        await expect.poll(() => logText(log), SLOW).toContain("<4 bytes: de ad be ef>");
        expect(await logText(log)).toMatch(
          /↑ wire451-\d+\["echo","hello, wire",\{"_placeholder":true,"num":0\}\]/,
        );

        await demo.getByRole("button", { name: /timeout\(1500\)/ }).click();
        await expect.poll(() => logText(log), { timeout: 5000 }).toContain("rejected:");
        await page.close();
      },
      TIMEOUT,
    );
  });

  describe("lesson 6: broadcasting, namespaces and rooms", () => {
    const LESSON = "/lessons/broadcasting-rooms-namespaces/";

    it(
      "delivers each broadcast flavour to exactly the right panels",
      async () => {
        const page = await open(LESSON);
        const demo = page.locator("rooms-playground");
        await demo.getByRole("button", { name: "Connect all" }).click();
        await page.locator("rooms-playground[data-ready=true]").waitFor();
        const panel = (name: string) => demo.locator(`.panel[data-client=${name}]`);
        const join = async (name: string, room: string) => {
          const toggle = panel(name).getByRole("button", { name: room });
          await toggle.click();
          await expect.poll(() => toggle.getAttribute("aria-pressed"), SLOW).toBe("true");
        };
        await join("Ana", "red");
        await join("Ben", "red");
        await join("Cleo", "blue");
        await join("Dev", "blue");

        const everyone = ["Ana", "Ben", "Cleo", "Dev", "Eve"];
        let round = 0;
        const send = async (scope: string, room: string, expected: string[]) => {
          round += 1;
          const text = `round ${round}`;
          await demo.getByLabel("Server-side call").selectOption(scope);
          if (room) await demo.getByLabel("Room", { exact: true }).selectOption(room);
          await demo.getByLabel("Text").fill(text);
          await demo.getByRole("button", { name: "Send" }).click();
          await expect
            .poll(() => demo.locator("[data-role=call]").textContent(), SLOW)
            .toContain("made the server run");
          for (const name of expected) {
            await panel(name).locator("li", { hasText: text }).waitFor({ timeout: 3000 });
          }
          // Give stray deliveries a moment to arrive before checking nobody else got it.
          await page.waitForTimeout(300);
          for (const name of everyone) {
            const count = await panel(name).locator("li", { hasText: text }).count();
            expect(count, `${name} for ${scope} ${room}`).toBe(expected.includes(name) ? 1 : 0);
          }
        };
        await send("all", "", ["Ana", "Ben", "Cleo", "Dev"]);
        await send("others", "", ["Ben", "Cleo", "Dev"]);
        await send("room", "red", ["Ana", "Ben"]);
        await send("room-others", "red", ["Ben"]);
        await send("except", "red", ["Cleo", "Dev"]);
        await join("Ben", "blue");
        await send("union", "", ["Ana", "Ben", "Cleo", "Dev"]);
        await page.close();
      },
      TIMEOUT,
    );

    it(
      "relays the raw WebSocket chat only to the others in the sender's room",
      async () => {
        const page = await open(LESSON);
        const demo = page.locator("raw-chat-panels");
        await demo.getByRole("button", { name: "Connect all" }).click();
        const panel = (name: string) => demo.locator(`.panel[data-client=${name}]`);
        for (const name of ["Ana", "Ben", "Cleo"]) {
          await expect
            .poll(() => panel(name).locator("[data-role=state]").textContent(), SLOW)
            .toContain("open");
        }
        await panel("Ana").getByLabel("Message from Ana").fill("<b>only red</b>");
        await panel("Ana").getByRole("button", { name: "Send" }).click();
        await panel("Ben").locator("li", { hasText: "Ana: <b>only red</b>" }).waitFor();
        expect(await panel("Ben").locator("b").count()).toBe(0); // text, never HTML
        await page.waitForTimeout(300);
        expect(await panel("Cleo").locator("li", { hasText: "only red" }).count()).toBe(0);
        await page.close();
      },
      TIMEOUT,
    );
  });

  describe("lesson 5: built-in events", () => {
    it(
      "makes every v4 event happen, client side and server side",
      async () => {
        const page = await open("/lessons/built-in-events/");
        const demo = page.locator("events-explorer");
        const chip = (name: string) => demo.locator(`[data-chip="${name}"][data-seen=true]`);
        const state = demo.getByRole("status");
        const connect = async (token: string) => {
          await demo.getByLabel("auth.token").selectOption(token);
          await demo.getByRole("button", { name: "socket.connect()" }).click();
        };
        const command = (name: string | RegExp) => demo.getByRole("button", { name }).click();

        await connect("wrong");
        await chip("client:connect_error").waitFor();
        expect(await demo.locator("[data-role=client-log]").textContent()).toContain(
          "not authorized",
        );

        await connect("letmein");
        await chip("client:connect").waitFor();
        await chip("server:connection").waitFor();

        await command("Server disconnects me");
        await chip("client:disconnect: io server disconnect").waitFor();
        await chip("server:disconnecting").waitFor();
        await chip("server:disconnect").waitFor();
        const disconnecting = demo
          .locator("[data-role=server-log] li[data-event=disconnecting]")
          .first();
        expect(await disconnecting.textContent()).toMatch(/rooms \[[^\]]*lab:/);

        await connect("letmein");
        await expect.poll(() => state.textContent(), SLOW).toBe("connected");
        await command("Drop the connection");
        await chip("client:disconnect: transport close").waitFor();
        await chip("client:reconnect_attempt").waitFor();
        await chip("client:reconnect").waitFor({ timeout: 10_000 });

        await expect.poll(() => state.textContent(), SLOW).toBe("connected");
        await command("Stop the heartbeat");
        await chip("client:disconnect: ping timeout").waitFor({ timeout: 15_000 });
        await expect.poll(() => state.textContent(), { timeout: 15_000 }).toBe("connected");

        await command("socket.disconnect()");
        await chip("client:disconnect: io client disconnect").waitFor();

        await connect("letmein");
        await expect.poll(() => state.textContent(), SLOW).toBe("connected");
        await command(/Refuse reconnections/);
        await chip("client:reconnect_error").waitFor({ timeout: 15_000 });
        await chip("client:reconnect_failed").waitFor({ timeout: 30_000 });
        await page.close();
      },
      TIMEOUT,
    );
  });

  describe("lesson 7: transports and the upgrade", () => {
    it(
      "upgrades from polling to websocket by default, and stays put when forced",
      async () => {
        const page = await open("/lessons/transports-and-upgrade/");
        const demo = page.locator("transport-switch");
        const log = demo.locator("[data-role=log]");
        const connectWith = async (mode: string) => {
          await demo.getByLabel("Options").selectOption(mode);
          await demo.getByRole("button", { name: "Connect", exact: true }).click();
          await expect.poll(() => demo.getByRole("status").textContent(), SLOW).toBe("connected");
        };

        await connectWith("default");
        await expect
          .poll(() => logText(log), { timeout: 10_000 })
          .toContain("the session now runs over websocket");
        expect(await logText(log)).toMatch(/\[polling\] 0\{"sid"/);
        await demo.getByRole("button", { name: "emit an event" }).click();
        await expect
          .poll(() => logText(log), SLOW)
          .toMatch(/\[websocket\] 42\d*\["echo","message 1"\]/);
        // The live visualizer follows the captured connection.
        await page.locator("frame-visualizer[data-live]").locator(".fv-box").waitFor();

        await demo.getByRole("button", { name: "Clear" }).click();
        await connectWith("polling");
        await demo.getByRole("button", { name: "emit an event" }).click();
        await expect.poll(() => logText(log), SLOW).toMatch(/\[polling\] 42\d*\["echo"/);
        expect(await logText(log)).not.toContain("upgrade:");

        await demo.getByRole("button", { name: "Clear" }).click();
        await connectWith("websocket");
        expect(await logText(log)).toMatch(/\[websocket\] 0\{"sid":"[^"]+","upgrades":\[\]/);
        await page.close();
      },
      TIMEOUT,
    );
  });

  describe("lesson 9: WebSocket vs Socket.IO", () => {
    it(
      "measures bytes and round trips for raw ws, Socket.IO over websocket and over polling",
      async () => {
        const page = await open("/lessons/websocket-vs-socket-io/");
        const demo = page.locator("transport-race");
        await demo.getByRole("button", { name: "Run the race" }).click();
        await page.locator("transport-race[data-done=true]").waitFor({ timeout: 60_000 });
        const numbers: Record<string, { rtt: number; up: number; down: number; requests: number }> =
          {};
        for (const lane of ["ws", "sio-ws", "sio-polling"]) {
          const row = demo.locator(`tr[data-lane="${lane}"]`);
          expect(await row.getAttribute("data-measured"), lane).toBe("true");
          const cell = async (role: string) =>
            parseFloat((await row.locator(`[data-role=${role}]`).textContent()) ?? "");
          numbers[lane] = {
            rtt: await cell("rtt"),
            up: await cell("up"),
            down: await cell("down"),
            requests: await cell("requests"),
          };
          expect(numbers[lane].rtt, lane).toBeGreaterThan(0);
        }
        // "hello, wire #01" is 15 bytes: a masked client frame is 6 + 15, the echo 2 + 15.
        expect(numbers.ws).toMatchObject({ up: 21, down: 17, requests: 0 });
        // Socket.IO adds its packet framing; over polling each message takes HTTP requests.
        expect(numbers["sio-ws"].up).toBeGreaterThan(numbers.ws.up);
        expect(numbers["sio-ws"].down).toBeGreaterThan(numbers.ws.down);
        expect(numbers["sio-ws"].requests).toBe(0);
        expect(numbers["sio-polling"].requests).toBeGreaterThanOrEqual(1.5);
        const pollingUp = demo.locator('tr[data-lane="sio-polling"] [data-role=up]');
        expect(await pollingUp.textContent()).toContain("+ HTTP headers");
        await page.close();
      },
      TIMEOUT,
    );
  });
});
