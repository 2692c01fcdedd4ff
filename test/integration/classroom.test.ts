import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createClassroom } from "../../sandbox-server/classroom/index.ts";
import { createFeatures } from "../../sandbox-server/features.ts";
import {
  INSTRUCTOR_TOKEN,
  StudentClient,
  joinClass,
  startClass,
  tempDatabase,
  type RunningClass,
} from "../support/classroom.ts";
import { ROOT, startSandbox } from "../support/sandbox.ts";

const auth = { authorization: `Bearer ${INSTRUCTOR_TOKEN}` };
const running: RunningClass[] = [];
async function classServer(databasePath?: string, joinsPerMinute?: number) {
  const server = await startClass(databasePath, undefined, joinsPerMinute);
  running.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.server.close()));
});

/** Status of a WebSocket upgrade that the server refuses. */
async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new WebSocket(url, { headers });
  socket.on("error", () => {}); // the refusal is what we wait for
  const [, response] = (await once(socket, "unexpected-response")) as [
    unknown,
    { statusCode: number },
  ];
  socket.terminate();
  return response.statusCode;
}

describe("joining", () => {
  it("gives each student an identity and resolves duplicate nicknames", async () => {
    const { http } = await classServer();
    const first = await joinClass(http, "Ana");
    const second = await joinClass(http, "ana");
    expect(first.status).toBe(201);
    expect(first.body.student.nickname).toBe("Ana");
    expect(second.body.student.nickname).toBe("ana 2");
    expect(first.body.credential).not.toBe(second.body.credential);
  });

  it("refuses an invalid nickname with a reason", async () => {
    const { http } = await classServer();
    for (const nickname of ["", "<script>", "x".repeat(25)]) {
      const { status, body } = await joinClass(http, nickname);
      expect(status, nickname).toBe(400);
      expect(body.error).toMatch(/nickname/i);
    }
  });

  it("rate-limits joins from one address", async () => {
    const { http } = await classServer(undefined, 5);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await joinClass(http, `s${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
  });

  it("refuses a join posted from a foreign page (Origin)", async () => {
    const { http } = await classServer();
    const response = await fetch(`${http}/api/class/join`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: JSON.stringify({ nickname: "Mallory" }),
    });
    expect(response.status).toBe(403);
  });
});

describe("instructor endpoints require the token", () => {
  it("answers 401 without a token and 403 with a wrong one, over HTTP", async () => {
    const { http } = await classServer();
    const joined = await joinClass(http, "Ana");
    for (const path of [
      "/api/class/dashboard",
      "/api/class/export.csv",
      `/api/class/students/${joined.body.student.id}`,
    ]) {
      expect((await fetch(`${http}${path}`)).status, path).toBe(401);
      expect(
        (await fetch(`${http}${path}`, { headers: { authorization: "Bearer nope" } })).status,
        path,
      ).toBe(403);
      expect((await fetch(`${http}${path}`, { headers: auth })).status, path).toBe(200);
    }
    for (const [path, body] of [
      ["/api/class/announce", { text: "hi" }],
      ["/api/class/grading", { paused: true }],
    ] as const) {
      const post = (headers: Record<string, string>) =>
        fetch(`${http}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      expect((await post({})).status, path).toBe(401);
      expect((await post({ authorization: "Bearer nope" })).status, path).toBe(403);
    }
  });

  it("refuses the dashboard WebSocket without the right token or from a foreign Origin", async () => {
    const { ws } = await classServer();
    expect(await upgradeStatus(`${ws}/ws/instructor`)).toBe(401);
    expect(await upgradeStatus(`${ws}/ws/instructor?token=wrong`)).toBe(403);
    expect(
      await upgradeStatus(`${ws}/ws/instructor?token=${INSTRUCTOR_TOKEN}`, {
        origin: "http://evil.example",
      }),
    ).toBe(403);
    expect(await upgradeStatus(`${ws}/ws/class`, { origin: "http://evil.example" })).toBe(403);
  });

  it("a student's credential does not open another student's results", async () => {
    const { http } = await classServer();
    const ana = await joinClass(http, "Ana");
    const bo = await joinClass(http, "Bo");
    const response = await fetch(`${http}/api/class/students/${bo.body.student.id}`, {
      headers: { authorization: `Bearer ${ana.body.credential}` },
    });
    expect(response.status).toBe(403);
  });
});

describe("a class in session", () => {
  it("streams joins, visits, quizzes and submissions of many students to the dashboard", async () => {
    // All simulated students share one loopback address: lift the per-address join limit.
    const { http, ws, classroom } = await classServer(undefined, 1000);
    const updates: Record<string, any>[] = [];
    const instructor = new WebSocket(`${ws}/ws/instructor?token=${INSTRUCTOR_TOKEN}`);
    instructor.on("message", (data) => updates.push(JSON.parse(String(data))));
    await once(instructor, "open");

    const students = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const joined = await joinClass(http, `student${i}`);
        const client = new StudentClient(ws, joined.body.credential);
        await client.next((message) => message.type === "welcome");
        return { id: joined.body.student.id as string, client };
      }),
    );
    for (const [i, { client }] of students.entries()) {
      client.send({ type: "visit", lesson: "what-is-a-websocket" });
      client.send({ type: "quiz", lesson: "what-is-a-websocket", score: i % 4, total: 3 });
    }
    classroom.recordSubmission({
      studentId: students[0].id,
      exercise: "handshake-accept",
      code: "export const x = 1;",
      result: { status: "pass", tests: [{ name: "t", status: "pass" }], durationMs: 120 },
    });

    await expect
      .poll(() => {
        const latest = new Map<string, any>();
        for (const update of updates)
          if (update.type === "student") latest.set(update.student.student.id, update.student);
        return [...latest.values()].filter(
          (view) => view.online && view.lessonsVisited.length === 1,
        ).length;
      })
      .toBe(30);
    const response = await fetch(`${http}/api/class/dashboard`, { headers: auth });
    const snapshot = (await response.json()) as Record<string, any>;
    expect(snapshot.students).toHaveLength(30);
    expect(snapshot.passCounts).toEqual({ "handshake-accept": 1 });
    expect(updates.some((update) => update.type === "passCounts")).toBe(true);

    students[1].client.close();
    await expect
      .poll(
        () =>
          updates
            .filter((u) => u.type === "student" && u.student.student.id === students[1].id)
            .at(-1)?.student.online,
      )
      .toBe(false);
    instructor.close();
    for (const { client } of students) client.close();
  });

  it("pushes an announcement to every student's page, as inert text", async () => {
    const { http, ws } = await classServer();
    const clients = await Promise.all(
      ["Ana", "Bo", "Cy"].map(async (name) => {
        const { body } = await joinClass(http, name);
        const client = new StudentClient(ws, body.credential);
        await client.next((message) => message.type === "welcome");
        return client;
      }),
    );
    const text = `Look at <img src=x onerror="alert(1)"> frames now`;
    const response = await fetch(`${http}/api/class/announce`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    expect(response.status).toBe(201);
    for (const client of clients) {
      const message = await client.next((m) => m.type === "announcement");
      expect(message.announcement.text).toBe(text);
      client.close();
    }
  });

  it("tells students when grading is paused and resumed", async () => {
    const { http, ws, classroom } = await classServer();
    const { body } = await joinClass(http, "Ana");
    const client = new StudentClient(ws, body.credential);
    await client.next((m) => m.type === "welcome");
    await fetch(`${http}/api/class/grading`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ paused: true }),
    });
    expect((await client.next((m) => m.type === "grading")).paused).toBe(true);
    expect(classroom.gradingPaused()).toBe(true);
    client.close();
  });

  it("closes a student socket that never says who it is, or lies", async () => {
    const { ws } = await classServer();
    const liar = new WebSocket(`${ws}/ws/class`);
    await once(liar, "open");
    liar.send(JSON.stringify({ type: "hello", credential: "nobody.secret" }));
    const [code] = (await once(liar, "close")) as [number];
    expect(code).toBe(1008);
  });

  it("exports every submission as CSV, neutralising spreadsheet formulas", async () => {
    const { http, classroom } = await classServer();
    const { body } = await joinClass(http, "Ana");
    classroom.recordSubmission({
      studentId: body.student.id,
      exercise: "frame-header",
      code: "",
      result: {
        status: "fail",
        tests: [
          { name: "a", status: "pass" },
          { name: "b", status: "fail" },
        ],
        durationMs: 42,
      },
    });
    const csv = await (await fetch(`${http}/api/class/export.csv`, { headers: auth })).text();
    const [header, row] = csv.trim().split("\r\n");
    expect(header).toBe(
      '"nickname","student_id","exercise","status","tests_passed","tests_total","duration_ms","submitted_at"',
    );
    expect(row).toMatch(
      new RegExp(`^"Ana","${body.student.id}","frame-header","fail","1","2","42","`),
    );
  });
});

describe("restarting the server mid-class", () => {
  it("loses nothing, and students come back as themselves", async () => {
    const databasePath = tempDatabase();
    const first = await startClass(databasePath);
    const { body } = await joinClass(first.http, "Ana");
    const client = new StudentClient(first.ws, body.credential);
    await client.next((m) => m.type === "welcome");
    client.send({ type: "visit", lesson: "frames" });
    client.send({ type: "quiz", lesson: "frames", score: 2, total: 3 });
    first.classroom.recordSubmission({
      studentId: body.student.id,
      exercise: "handshake-accept",
      code: "// mine",
      result: { status: "pass", tests: [{ name: "t", status: "pass" }], durationMs: 10 },
    });
    await fetch(`${first.http}/api/class/announce`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ text: "before the restart" }),
    });
    await expect
      .poll(() => first.classroom.store.progress(body.student.id)?.quizzes.frames?.score)
      .toBe(2);
    const closed = once(client.socket, "close");
    await first.server.close();
    expect((await closed)[0]).toBe(1001);

    const second = await classServer(databasePath);
    const again = new StudentClient(second.ws, body.credential);
    const welcome = await again.next((m) => m.type === "welcome");
    expect(welcome.student.nickname).toBe("Ana");
    expect(welcome.announcements.map((a: { text: string }) => a.text)).toEqual([
      "before the restart",
    ]);
    const progress = await (
      await fetch(`${second.http}/api/class/students/${body.student.id}`, { headers: auth })
    ).json();
    expect(progress.lessonsVisited).toEqual(["frames"]);
    expect(progress.quizzes).toEqual({ frames: { score: 2, total: 3 } });
    expect(progress.exercises).toEqual({ "handshake-accept": { status: "pass", attempts: 1 } });
    expect(progress.latestSubmission.code).toBe("// mine");
    again.close();
  });
});

describe("grading in class mode", () => {
  it("records real graded submissions for the student, and refuses while paused", async () => {
    const databasePath = tempDatabase();
    const classroom = createClassroom({ databasePath, instructorToken: INSTRUCTOR_TOKEN });
    const sandbox = await startSandbox(
      createFeatures({ root: ROOT, classroom, grading: { warm: false, concurrency: 1 } }),
      undefined,
    );
    try {
      const { body } = await joinClass(sandbox.http, "Ana");
      const updates: Record<string, any>[] = [];
      const dashboard = new WebSocket(`${sandbox.ws}/ws/instructor?token=${INSTRUCTOR_TOKEN}`);
      dashboard.on("message", (data) => updates.push(JSON.parse(String(data))));
      await once(dashboard, "open");

      const grade = (solution: string) =>
        fetch(`${sandbox.http}/api/grade`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            exercise: "handshake-accept",
            client: body.credential,
            files: { "solution.ts": solution },
          }),
        });
      const wrong = await grade("export function acceptKey(key: string): string { return key; }");
      expect((await wrong.json()).status).toBe("fail");

      await expect
        .poll(
          () =>
            updates.filter((u) => u.type === "student").at(-1)?.student.latestSubmission?.status,
        )
        .toBe("fail");
      const progress = classroom.store.progress(body.student.id)!;
      expect(progress.latestSubmission?.code).toContain("return key");
      expect(progress.exercises["handshake-accept"]).toEqual({ status: "fail", attempts: 1 });

      await fetch(`${sandbox.http}/api/class/grading`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ paused: true }),
      });
      const paused = await grade("export function acceptKey(key: string): string { return key; }");
      expect(paused.status).toBe(503);
      expect((await paused.json()).error).toMatch(/paused/);
      dashboard.close();
    } finally {
      await sandbox.server.close();
    }
  }, 60_000);

  it("grades several students at once while the dashboard follows each result", async () => {
    const classroom = createClassroom({
      databasePath: tempDatabase(),
      instructorToken: INSTRUCTOR_TOKEN,
    });
    const sandbox = await startSandbox(
      createFeatures({ root: ROOT, classroom, grading: { warm: false } }),
      undefined,
    );
    try {
      const updates: Record<string, any>[] = [];
      const dashboard = new WebSocket(`${sandbox.ws}/ws/instructor?token=${INSTRUCTOR_TOKEN}`);
      dashboard.on("message", (data) => updates.push(JSON.parse(String(data))));
      await once(dashboard, "open");
      const reference = readFileSync(`${ROOT}exercises/handshake-accept/reference.ts`, "utf8");
      const wrong = "export function acceptKey(key: string): string { return key; }";
      const students = await Promise.all(
        ["Ana", "Bo", "Cy", "Di"].map(async (name, i) => {
          const { body } = await joinClass(sandbox.http, name);
          return {
            id: body.student.id as string,
            credential: body.credential as string,
            passes: i % 2 === 0,
          };
        }),
      );
      const results = await Promise.all(
        students.map(async (student) => {
          const response = await fetch(`${sandbox.http}/api/grade`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              exercise: "handshake-accept",
              client: student.credential,
              files: { "solution.ts": student.passes ? reference : wrong },
            }),
          });
          return ((await response.json()) as { status: string }).status;
        }),
      );
      expect(results).toEqual(["pass", "fail", "pass", "fail"]);
      await expect
        .poll(() => updates.filter((u) => u.type === "passCounts").at(-1)?.passCounts)
        .toEqual({ "handshake-accept": 2 });
      for (const student of students) {
        const seen = updates.filter(
          (u) =>
            u.type === "student" &&
            u.student.student.id === student.id &&
            u.student.latestSubmission,
        );
        expect(seen.at(-1)?.student.latestSubmission.status).toBe(student.passes ? "pass" : "fail");
      }
      dashboard.close();
    } finally {
      await sandbox.server.close();
    }
  }, 90_000);
});
