import { sandboxUrl } from "../sandbox.ts";

/** The instructor's live view of the class (`/instructor/#token=…`). */

interface StudentView {
  student: { id: string; nickname: string; joinedAt: string; lastSeen: string };
  online: boolean;
  lessonsVisited: string[];
  quizzes: Record<string, { score: number; total: number }>;
  exercises: Record<string, { status: string; attempts: number }>;
  latestSubmission?: { exercise: string; status: string; at: string; tests: { status: string }[] };
}

interface Announcement {
  id: number;
  text: string;
  at: string;
}

type ServerMessage =
  | {
      type: "snapshot";
      students: StudentView[];
      passCounts: Record<string, number>;
      announcements: Announcement[];
      gradingPaused: boolean;
    }
  | { type: "student"; student: StudentView }
  | { type: "passCounts"; passCounts: Record<string, number> }
  | { type: "announcement"; announcement: Announcement }
  | { type: "grading"; paused: boolean };

const TOKEN_KEY = "wirelab:instructor-token";

class InstructorDashboard extends HTMLElement {
  private token = "";
  private students = new Map<string, StudentView>();
  private passCounts: Record<string, number> = {};
  private exercises: string[] = [];
  private paused = false;
  private retry = 0;
  private renderPending = false;

  private element<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    // The token arrives in the URL fragment (never sent to servers or logs);
    // keep it for this tab and take it out of the address bar.
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
    if (fromHash) {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
      history.replaceState(null, "", location.pathname);
    }
    this.token = sessionStorage.getItem(TOKEN_KEY) ?? "";
    if (!this.token) {
      this.fail("No instructor token. Open the instructor URL printed by `npm start -- --class`.");
      return;
    }
    this.element("pause").addEventListener("click", () => void this.setPaused(!this.paused));
    this.element("export").addEventListener("click", () => void this.exportCsv());
    this.element("announce-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.announce();
    });
    void fetch(sandboxUrl("/api/exercises"))
      .then((response) => (response.ok ? response.json() : []))
      .then((list: { id: string }[]) => {
        this.exercises = list.map((exercise) => exercise.id);
        this.renderChart();
      })
      .catch(() => {});
    this.connect();
  }

  private connect() {
    const url = new URL(sandboxUrl("/ws/instructor", "ws"));
    url.searchParams.set("token", this.token);
    const socket = new WebSocket(url);
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.retry = 0;
      this.element("connection").textContent = "Live: updates appear as they happen.";
      for (const role of ["pause", "export"])
        this.element<HTMLButtonElement>(role).disabled = false;
    });
    socket.addEventListener("message", (event) =>
      this.receive(JSON.parse(String(event.data)) as ServerMessage),
    );
    socket.addEventListener("close", async () => {
      // Never opened: a refused token (401/403) or no class mode ends here for good;
      // a server that is down or restarting is retried, backing off.
      if (!opened && (await this.explainRefusal())) return;
      this.element("connection").textContent = "Disconnected: reconnecting…";
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    });
  }

  /** Whether the server refuses this dashboard (then says why); false when it is unreachable. */
  private async explainRefusal(): Promise<boolean> {
    const response = await this.api("/api/class/dashboard").catch(() => undefined);
    if (response?.status === 401 || response?.status === 403) {
      this.fail(
        "The instructor token was refused. Open the exact instructor URL printed when the class server started (the token changes at every start unless WIRELAB_INSTRUCTOR_TOKEN is set).",
      );
      return true;
    }
    if (response?.status === 404) {
      this.fail("This server is not in class mode. Start it with `npm start -- --class`.");
      return true;
    }
    return false;
  }

  private receive(message: ServerMessage) {
    switch (message.type) {
      case "snapshot":
        this.students = new Map(message.students.map((view) => [view.student.id, view]));
        this.passCounts = message.passCounts;
        this.paused = message.gradingPaused;
        this.element("announcements").replaceChildren(
          ...message.announcements.reverse().map(announcementItem),
        );
        break;
      case "student":
        this.students.set(message.student.student.id, message.student);
        break;
      case "passCounts":
        this.passCounts = message.passCounts;
        break;
      case "announcement":
        this.element("announcements").prepend(announcementItem(message.announcement));
        break;
      case "grading":
        this.paused = message.paused;
        break;
    }
    // A class joining at once sends hundreds of updates: draw at most once a frame.
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private render() {
    const views = [...this.students.values()];
    this.element("joined").textContent = String(views.length);
    this.element("online").textContent = String(views.filter((view) => view.online).length);
    this.element("submissions").textContent = String(
      views.reduce(
        (sum, view) =>
          sum + Object.values(view.exercises).filter((e) => e.status === "pass").length,
        0,
      ),
    );
    this.element("grading").textContent = this.paused ? "paused" : "on";
    this.element("pause").textContent = this.paused ? "Resume grading" : "Pause grading";
    this.renderRoster(views);
    this.renderChart();
  }

  private renderRoster(views: StudentView[]) {
    const body = this.element("roster");
    if (views.length === 0) return;
    views.sort(
      (a, b) =>
        Number(b.online) - Number(a.online) || a.student.nickname.localeCompare(b.student.nickname),
    );
    body.replaceChildren(
      ...views.map((view) => {
        const row = document.createElement("tr");
        row.dataset.student = view.student.id;
        const name = document.createElement("th");
        name.scope = "row";
        const dot = document.createElement("span");
        dot.className = `online-dot${view.online ? " on" : ""}`;
        dot.title = view.online ? "online" : "offline";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "linklike";
        button.textContent = view.student.nickname; // text, never HTML
        button.addEventListener("click", () => void this.showStudent(view.student.id));
        const state = document.createElement("span");
        state.className = "visually-hidden";
        state.textContent = view.online ? " (online)" : " (offline)";
        name.append(dot, button, state);
        const passed = Object.entries(view.exercises)
          .filter(([, exercise]) => exercise.status === "pass")
          .map(([id]) => id);
        const quizzes = Object.values(view.quizzes);
        const latest = view.latestSubmission;
        row.append(
          name,
          cell(String(view.lessonsVisited.length), "Lessons"),
          cell(
            quizzes.length ? quizzes.map((quiz) => `${quiz.score}/${quiz.total}`).join(", ") : "–",
            "Quizzes",
          ),
          cell(passed.length ? passed.join(", ") : "–", "Passed"),
          latest ? statusCell(latest) : cell("–", "Latest"),
        );
        return row;
      }),
    );
  }

  private renderChart() {
    const chart = this.element("chart");
    const ids = [...new Set([...this.exercises, ...Object.keys(this.passCounts)])];
    if (ids.length === 0) return;
    const max = Math.max(1, this.students.size);
    chart.replaceChildren(
      ...ids.map((id) => {
        const count = this.passCounts[id] ?? 0;
        const item = document.createElement("li");
        item.className = "bar-row";
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = id;
        const track = document.createElement("span");
        track.className = "track";
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.display = "block";
        bar.style.width = `${(count / max) * 100}%`;
        track.append(bar);
        const value = document.createElement("span");
        value.className = "count";
        value.textContent = `${count}/${this.students.size}`;
        item.setAttribute("aria-label", `${id}: ${count} of ${this.students.size} students passed`);
        item.append(name, track, value);
        return item;
      }),
    );
  }

  private async showStudent(id: string) {
    const response = await this.api(`/api/class/students/${encodeURIComponent(id)}`);
    if (!response.ok) return;
    const progress = (await response.json()) as Omit<StudentView, "latestSubmission"> & {
      latestSubmission?: {
        exercise: string;
        status: string;
        code: string;
        message?: string;
        tests: { name: string; status: string; message?: string }[];
      };
    };
    const panel = this.element("detail");
    panel.hidden = false;
    panel.querySelector("h2")!.textContent = `Student: ${progress.student.nickname}`;
    const body = this.element("detail-body");
    const lines = [
      `Lessons visited: ${progress.lessonsVisited.join(", ") || "none yet"}`,
      `Quizzes: ${
        Object.entries(progress.quizzes)
          .map(([lesson, q]) => `${lesson} ${q.score}/${q.total}`)
          .join(", ") || "none yet"
      }`,
      `Exercises: ${
        Object.entries(progress.exercises)
          .map(
            ([ex, e]) => `${ex} ${e.status} (${e.attempts} attempt${e.attempts === 1 ? "" : "s"})`,
          )
          .join(", ") || "none yet"
      }`,
    ];
    const list = document.createElement("ul");
    list.append(
      ...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })),
    );
    body.replaceChildren(list);
    const submission = progress.latestSubmission;
    if (submission) {
      const heading = document.createElement("h3");
      heading.textContent = `Latest submission: ${submission.exercise} — ${submission.status}`;
      const tests = document.createElement("ul");
      tests.className = "tests";
      tests.append(
        ...submission.tests.map((test) => {
          const item = document.createElement("li");
          const mark = document.createElement("span");
          mark.className = `status-${test.status === "pass" ? "pass" : "fail"}`;
          mark.textContent = test.status === "pass" ? "✓ " : "✗ ";
          item.append(mark, `${test.name}${test.message ? ` — ${test.message}` : ""}`);
          return item;
        }),
      );
      const code = document.createElement("pre");
      code.textContent = submission.code; // the student's code, shown as text
      body.append(heading, tests, code);
    }
    panel.scrollIntoView({
      behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
    });
  }

  private async announce() {
    const field = this.element<HTMLTextAreaElement>("announce-text");
    const response = await this.api("/api/class/announce", { text: field.value });
    if (response.ok) field.value = "";
  }

  private async setPaused(paused: boolean) {
    await this.api("/api/class/grading", { paused });
  }

  private async exportCsv() {
    const response = await this.api("/api/class/export.csv");
    if (!response.ok) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `wirelab-results-${new Date().toISOString().slice(0, 10)}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  private api(path: string, body?: unknown): Promise<Response> {
    return fetch(sandboxUrl(path), {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private fail(text: string) {
    const notice = this.element("notice");
    notice.textContent = text;
    notice.hidden = false;
    this.element("connection").textContent = "Not connected.";
  }
}

/** A roster cell; `label` names it when a narrow screen stacks the row as a card. */
function cell(text: string, label: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  td.dataset.label = label;
  return td;
}

function statusCell(latest: NonNullable<StudentView["latestSubmission"]>): HTMLTableCellElement {
  const td = cell("", "Latest");
  const status = document.createElement("span");
  status.className = `status-${latest.status}`;
  status.textContent = latest.status;
  const passed = latest.tests.filter((test) => test.status === "pass").length;
  td.append(`${latest.exercise}: `, status, ` (${passed}/${latest.tests.length})`);
  return td;
}

function announcementItem(announcement: Announcement): HTMLLIElement {
  const item = document.createElement("li");
  const time = document.createElement("time");
  time.dateTime = announcement.at;
  time.textContent = new Date(announcement.at).toLocaleTimeString();
  item.append(time, " — ", announcement.text);
  return item;
}

customElements.define("instructor-dashboard", InstructorDashboard);
