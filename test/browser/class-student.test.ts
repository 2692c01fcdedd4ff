/**
 * Class mode from a student's seat, in Chromium against the built site: joining
 * with a nickname, keeping the identity, seeing the instructor's announcements
 * live (as text), and coming back by itself after a server restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createClassroom } from "../../sandbox-server/classroom/index.ts";
import { createFeatures } from "../../sandbox-server/features.ts";
import { createSandboxServer } from "../../sandbox-server/server.ts";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import {
  INSTRUCTOR_TOKEN,
  startClass,
  tempDatabase,
  type RunningClass,
} from "../support/classroom.ts";
import { DIST, ROOT } from "../support/sandbox.ts";

const WAIT = { timeout: 30_000 };

/** Opens `path`, joins the class as `nickname` and waits for "In class as …". */
async function joinFromPage(page: Page, http: string, nickname: string, path = "/") {
  await page.goto(`${http}${path}`);
  const form = page.locator("class-presence form[data-role='join']");
  await form.waitFor({ state: "visible", ...WAIT });
  await form.getByLabel("Nickname").fill(nickname);
  await form.getByRole("button", { name: "Join the class" }).click();
  const whoami = page.locator("class-presence [data-role='whoami']");
  await whoami.waitFor({ state: "visible", ...WAIT });
  return whoami;
}

describe.runIf(browserAvailable())(
  "class mode: a student's page in Chromium",
  { timeout: 90_000 },
  () => {
    let browser: Browser;
    let running: RunningClass;
    beforeAll(async () => {
      [browser, running] = await Promise.all([
        launchChromium(),
        startClass(tempDatabase(), DIST, 1000),
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await running?.server.close();
    });

    it("joins with a nickname, keeps the identity over a reload, and resolves a duplicate", async () => {
      const first = await browser.newContext();
      const page = await first.newPage();
      const whoami = await joinFromPage(page, running.http, "Grace");
      expect(await whoami.textContent()).toBe("In class as Grace");
      expect(await page.locator("class-presence form[data-role='join']").isHidden()).toBe(true);

      await page.reload();
      await expect.poll(() => whoami.textContent(), WAIT).toBe("In class as Grace");
      expect(await page.locator("class-presence form[data-role='join']").isHidden()).toBe(true);

      // A new tab in the same browser is the same student (the identity is in localStorage).
      const tab = await first.newPage();
      await tab.goto(`${running.http}/lessons/what-is-a-websocket/`);
      await expect
        .poll(() => tab.locator("class-presence [data-role='whoami']").textContent(), WAIT)
        .toBe("In class as Grace");

      // Another browser asking for the same name gets a free variant of it.
      const second = await browser.newContext();
      const other = await joinFromPage(await second.newPage(), running.http, "grace");
      expect(await other.textContent()).toBe("In class as grace 2");

      const nicknames = running.classroom.store.students().map((student) => student.nickname);
      expect(nicknames.filter((name) => /^grace/i.test(name)).sort()).toEqual(["Grace", "grace 2"]);
      await Promise.all([first.close(), second.close()]);
    });

    it("shows an announcement sent from the dashboard without a reload, as text", async () => {
      const context = await browser.newContext();
      const student = await context.newPage();
      await joinFromPage(student, running.http, "Linus", "/lessons/what-is-a-websocket/");
      const banner = student.locator("class-presence [data-role='announcement']");
      expect(await banner.isHidden()).toBe(true);

      const instructor = await browser.newPage();
      await instructor.goto(`${running.http}/instructor/#token=${INSTRUCTOR_TOKEN}`);
      await expect
        .poll(() => instructor.locator("[data-role='connection']").textContent(), WAIT)
        .toMatch(/^Live/);
      const payload = `<img src=x onerror="window.__pwned=1"><b>Open lesson 2</b> & go`;
      await instructor.getByLabel("Announcement to every student").fill(payload);
      await instructor.getByRole("button", { name: "Send to everyone" }).click();

      await banner.waitFor({ state: "visible", ...WAIT });
      const text = banner.locator("[data-role='announcement-text']");
      expect(await text.textContent()).toBe(payload);
      expect(await banner.locator("img, b").count()).toBe(0);
      expect(await student.evaluate(() => "__pwned" in window)).toBe(false);
      // The dashboard lists it as text too.
      const sent = instructor.locator("[data-role='announcements'] li").first();
      await expect.poll(() => sent.textContent(), WAIT).toContain(payload);
      expect(await instructor.locator("[data-role='announcements'] img, b").count()).toBe(0);

      // Dismissed, it stays dismissed over a reload (already seen in this tab).
      await student.getByRole("button", { name: "Dismiss announcement" }).click();
      expect(await banner.isHidden()).toBe(true);
      await student.reload();
      await expect
        .poll(() => student.locator("class-presence [data-role='whoami']").textContent(), WAIT)
        .toMatch(/In class as Linus/);
      expect(await banner.isHidden()).toBe(true);
      await Promise.all([context.close(), instructor.close()]);
    });
  },
);

describe.runIf(browserAvailable())(
  "class mode: a server restart in the middle of a class",
  { timeout: 90_000 },
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    const servers: { close(): Promise<void> }[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()));
    });

    /** The real class server on a given port (0: any), with its database at `databasePath`. */
    async function classOn(databasePath: string, port = 0) {
      const classroom = createClassroom({ databasePath, instructorToken: INSTRUCTOR_TOKEN });
      const server = createSandboxServer({
        siteDir: DIST,
        features: createFeatures({ root: ROOT, classroom }),
      });
      const bound = await server.listen(port, "127.0.0.1");
      servers.push(server);
      return { server, classroom, port: bound, http: `http://127.0.0.1:${bound}` };
    }

    it("the page reconnects by itself and keeps its nickname", async () => {
      const databasePath = tempDatabase();
      const before = await classOn(databasePath);
      const page = await browser.newPage();
      const whoami = await joinFromPage(
        page,
        before.http,
        "Hopper",
        "/lessons/what-is-a-websocket/",
      );
      expect(await whoami.textContent()).toBe("In class as Hopper");

      await before.server.close();
      servers.splice(servers.indexOf(before.server), 1);
      await expect.poll(() => whoami.textContent(), WAIT).toMatch(/reconnecting/i);

      const after = await classOn(databasePath, before.port);
      await expect.poll(() => whoami.textContent(), WAIT).toBe("In class as Hopper");
      // The new server process knows the student and sees them online again.
      const dashboard = await fetch(`${after.http}/api/class/dashboard`, {
        headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}` },
      });
      const snapshot = (await dashboard.json()) as {
        students: { student: { nickname: string }; online: boolean; lessonsVisited: string[] }[];
      };
      expect(snapshot.students).toHaveLength(1);
      expect(snapshot.students[0]).toMatchObject({
        student: { nickname: "Hopper" },
        online: true,
        lessonsVisited: ["what-is-a-websocket"],
      });
      await page.close();
    });
  },
);
