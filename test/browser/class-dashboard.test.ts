/**
 * The instructor's dashboard in Chromium against the built site: the live
 * roster, the pass chart, a student's latest submission, pausing grading, the
 * CSV export, a refused token, and screenshots (desktop and 375 px, light and
 * dark) written to $CLASS_SCREENSHOTS (default: a temp folder).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { GradedSubmission } from "../../sandbox-server/classroom/index.ts";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import {
  INSTRUCTOR_TOKEN,
  StudentClient,
  joinClass,
  startClass,
  tempDatabase,
  type RunningClass,
} from "../support/classroom.ts";
import { DIST } from "../support/sandbox.ts";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

const WAIT = { timeout: 30_000 };

function graded(
  studentId: string,
  exercise: string,
  passed: number,
  total: number,
  code = "export function handle() {}",
): GradedSubmission {
  return {
    studentId,
    exercise,
    code,
    result: {
      status: passed === total ? "pass" : "fail",
      tests: Array.from({ length: total }, (_, i) =>
        i < passed
          ? { name: `test ${i + 1}`, status: "pass" }
          : { name: `test ${i + 1}`, status: "fail", message: "expected 1000, got 1006" },
      ),
      durationMs: 840,
    },
  };
}

async function openDashboard(page: Page, http: string, token = INSTRUCTOR_TOKEN) {
  await page.goto(`${http}/instructor/#token=${token}`);
  await expect
    .poll(() => page.locator("[data-role='connection']").textContent(), WAIT)
    .toMatch(/^Live/);
}

describe.runIf(browserAvailable())(
  "class mode: the instructor's dashboard in Chromium",
  { timeout: 90_000 },
  () => {
    let browser: Browser;
    let running: RunningClass;
    const clients: StudentClient[] = [];
    beforeAll(async () => {
      [browser, running] = await Promise.all([
        launchChromium(),
        startClass(tempDatabase(), DIST, 1000),
      ]);
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      await browser?.close();
      await running?.server.close();
    });

    /** A student who joins through the API and keeps a page connection open. */
    async function student(nickname: string) {
      const joined = await joinClass(running.http, nickname);
      expect(joined.status).toBe(201);
      const client = new StudentClient(running.ws, joined.body.credential);
      clients.push(client);
      await client.next((message) => message.type === "welcome");
      return { id: joined.body.student.id as string, client };
    }

    it("follows the class live: roster, pass chart, a student's latest submission", async () => {
      const page = await browser.newPage();
      await openDashboard(page, running.http);
      // The token left the address bar as soon as the page read it.
      expect(page.url()).not.toContain(INSTRUCTOR_TOKEN);
      // The dashboard is not a student's page: no join form on it.
      expect(await page.locator("class-presence").isHidden()).toBe(true);
      const row = (id: string) => page.locator(`[data-role='roster'] tr[data-student='${id}']`);

      const ada = await student("Ada");
      await row(ada.id).locator(".online-dot.on").waitFor(WAIT);
      expect(await row(ada.id).locator("th").textContent()).toContain("Ada (online)");
      const bob = await student("Bob");
      await row(bob.id).locator(".online-dot.on").waitFor(WAIT);
      await expect.poll(() => page.locator("[data-role='online']").textContent(), WAIT).toBe("2");

      bob.client.close();
      await expect
        .poll(() => row(bob.id).locator("th").textContent(), WAIT)
        .toContain("Bob (offline)");
      expect(await page.locator("[data-role='online']").textContent()).toBe("1");
      expect(await page.locator("[data-role='joined']").textContent()).toBe("2");

      // A graded submission arrives (as grading reports it): the chart and the roster follow.
      running.classroom.recordSubmission(graded(ada.id, "echo-server", 1, 3));
      running.classroom.recordSubmission(
        graded(ada.id, "echo-server", 3, 3, "ws.on('message', (data) => ws.send(data)); // <ok>"),
      );
      const bar = page.getByRole("listitem", { name: /^echo-server: 1 of 2 students passed/ });
      await bar.waitFor(WAIT);
      await expect
        .poll(() => row(ada.id).locator("td").last().textContent(), WAIT)
        .toBe("echo-server: pass (3/3)");
      expect(await page.locator("[data-role='submissions']").textContent()).toBe("1");

      await row(ada.id).getByRole("button", { name: "Ada" }).click();
      const detail = page.locator("[data-role='detail']");
      await detail.waitFor({ state: "visible", ...WAIT });
      expect(await detail.locator("h2").textContent()).toBe("Student: Ada");
      const detailText = await detail.textContent();
      expect(detailText).toContain("Latest submission: echo-server — pass");
      expect(detailText).toContain("echo-server pass (2 attempts)");
      expect(await detail.locator("pre").textContent()).toBe(
        "ws.on('message', (data) => ws.send(data)); // <ok>",
      );
      await page.close();
    });

    it("pauses and resumes grading", async () => {
      const page = await browser.newPage();
      await openDashboard(page, running.http);
      const grading = page.locator("[data-role='grading']");
      await expect.poll(() => grading.textContent(), WAIT).toBe("on");
      await page.getByRole("button", { name: "Pause grading" }).click();
      await expect.poll(() => grading.textContent(), WAIT).toBe("paused");
      expect(running.classroom.gradingPaused()).toBe(true);
      await page.getByRole("button", { name: "Resume grading" }).click();
      await expect.poll(() => grading.textContent(), WAIT).toBe("on");
      expect(running.classroom.gradingPaused()).toBe(false);
      await page.close();
    });

    it("exports the results as CSV", async () => {
      const { id } = await student("Eve-Marie O.");
      running.classroom.recordSubmission(graded(id, "heartbeat", 0, 2));
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await openDashboard(page, running.http);
      const [download] = await Promise.all([
        page.waitForEvent("download", WAIT),
        page.getByRole("button", { name: "Export CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^wirelab-results-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync(await download.path(), "utf8");
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        '"nickname","student_id","exercise","status","tests_passed","tests_total","duration_ms","submitted_at"',
      );
      expect(lines.filter((line) => line.startsWith('"Ada"'))).toHaveLength(2);
      expect(lines.at(-1)).toMatch(
        /^"Eve-Marie O\.","'?[\w-]+","heartbeat","fail","0","2","840","\d{4}-/,
      );
      await context.close();
    });

    it("says so plainly when the token is wrong or missing", async () => {
      const page = await browser.newPage();
      await page.goto(`${running.http}/instructor/#token=not-the-token`);
      const notice = page.locator("[data-role='notice']");
      await notice.waitFor({ state: "visible", ...WAIT });
      expect(await notice.textContent()).toMatch(/instructor token was refused/i);
      expect(await page.locator("[data-role='connection']").textContent()).toBe("Not connected.");
      // It does not keep knocking with the wrong token.
      await page.waitForTimeout(1500);
      expect(await page.locator("[data-role='connection']").textContent()).toBe("Not connected.");
      expect(await page.getByRole("button", { name: "Export CSV" }).isDisabled()).toBe(true);

      const fresh = await browser.newPage();
      await fresh.goto(`${running.http}/instructor/`);
      await fresh.locator("[data-role='notice']").waitFor({ state: "visible", ...WAIT });
      expect(await fresh.locator("[data-role='notice']").textContent()).toMatch(
        /No instructor token/,
      );
      await Promise.all([page.close(), fresh.close()]);
    });
  },
);

describe.runIf(browserAvailable())("class mode: screenshots", { timeout: 90_000 }, () => {
  const folder = process.env.CLASS_SCREENSHOTS ?? join(tmpdir(), "wirelab-class-screenshots");
  let browser: Browser;
  let running: RunningClass;
  const clients: StudentClient[] = [];
  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    [browser, running] = await Promise.all([
      launchChromium(),
      startClass(tempDatabase(), DIST, 1000),
    ]);
    // A small class: some online, some gone, a few graded submissions and quizzes.
    const names = ["Ada", "Bob", "Chidi", "Dolores Abernathy", "Émile", "Fatima", "Guo Wei"];
    const students = [];
    for (const name of names) {
      const joined = await joinClass(running.http, name);
      const client = new StudentClient(running.ws, joined.body.credential);
      clients.push(client);
      await client.next((message) => message.type === "welcome");
      client.send({ type: "visit", lesson: "what-is-a-websocket" });
      students.push({ id: joined.body.student.id as string, client });
    }
    const [ada, bob, chidi, dolores, emile, fatima] = students;
    for (const { client } of [ada, bob, chidi, dolores]) {
      client.send({ type: "visit", lesson: "opening-handshake" });
      client.send({ type: "quiz", lesson: "what-is-a-websocket", score: 3, total: 4 });
    }
    const { classroom } = running;
    classroom.recordSubmission(graded(ada.id, "echo-server", 3, 3));
    classroom.recordSubmission(graded(ada.id, "broadcast-chat", 4, 4));
    classroom.recordSubmission(graded(bob.id, "echo-server", 3, 3));
    classroom.recordSubmission(graded(chidi.id, "echo-server", 2, 3));
    classroom.recordSubmission(graded(dolores.id, "echo-server", 3, 3));
    classroom.recordSubmission(graded(dolores.id, "heartbeat", 1, 2));
    classroom.recordSubmission(graded(emile.id, "echo-server", 0, 3));
    fatima.client.close();
    students[6].client.close();
    classroom.store.announce("Start with the echo-server exercise, then try heartbeat.");
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last visits land
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await browser?.close();
    await running?.server.close();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    for (const [label, viewport] of [
      ["desktop", { width: 1280, height: 900 }],
      ["375px", { width: 375, height: 812 }],
    ] as const) {
      it(`dashboard, ${label}, ${colorScheme}`, async () => {
        const page = await browser.newPage({ colorScheme, viewport, reducedMotion: "reduce" });
        await openDashboard(page, running.http);
        await page
          .getByRole("listitem", { name: /^echo-server: 3 of \d+ students passed/ })
          .waitFor(WAIT);
        // With a student's details open, as an instructor would look at them.
        await page.getByRole("button", { name: "Dolores Abernathy" }).click();
        await page.locator("[data-role='detail'] pre").waitFor(WAIT);
        await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header stays on top
        await page.screenshot({
          path: join(folder, `dashboard-${label}-${colorScheme}.png`),
          fullPage: true,
        });
        // Nothing sticks out sideways on a phone.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        // The filled dashboard passes axe (the sweep in accessibility.test.ts sees it empty).
        // Scoped to <main>: the site header is checked by that sweep.
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const { axe } = window as unknown as {
            axe: { run: (context: string) => Promise<{ violations: Violation[] }> };
          };
          return (await axe.run("#main")).violations;
        });
        expect(
          violations
            .filter(({ impact }) => impact === "serious" || impact === "critical")
            .map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
        ).toEqual([]);
        await page.close();
      });
    }

    it(`a student's lesson page with an announcement, ${colorScheme}`, async () => {
      const context = await browser.newContext({
        colorScheme,
        viewport: { width: 1280, height: 800 },
      });
      const page = await context.newPage();
      await page.goto(`${running.http}/lessons/what-is-a-websocket/`);
      await page.getByLabel("Nickname").fill(`Screenshot ${colorScheme}`);
      await page.getByRole("button", { name: "Join the class" }).click();
      await page.locator("class-presence [data-role='announcement']").waitFor(WAIT);
      await page.screenshot({ path: join(folder, `student-announcement-${colorScheme}.png`) });
      await context.close();
    });
  }
});
