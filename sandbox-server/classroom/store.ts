import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** A nickname: 1–24 letters, digits, spaces, `_ . -` (any script's letters). */
export const NICKNAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,23}$/u;

export interface Student {
  id: string;
  nickname: string;
  joinedAt: string;
  lastSeen: string;
}

export interface SubmissionRecord {
  id: number;
  studentId: string;
  exercise: string;
  status: "pass" | "fail" | "error";
  tests: { name: string; status: string; message?: string }[];
  message?: string;
  code: string;
  durationMs: number;
  at: string;
}

export interface Announcement {
  id: number;
  text: string;
  at: string;
}

export interface StudentProgress {
  student: Student;
  lessonsVisited: string[];
  quizzes: Record<string, { score: number; total: number }>;
  exercises: Record<string, { status: string; attempts: number }>;
  latestSubmission?: SubmissionRecord;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS students (
    id TEXT PRIMARY KEY,
    nickname TEXT NOT NULL UNIQUE COLLATE NOCASE,
    secret_hash TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS visits (
    student_id TEXT NOT NULL REFERENCES students(id),
    lesson TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (student_id, lesson)
  );
  CREATE TABLE IF NOT EXISTS quizzes (
    student_id TEXT NOT NULL REFERENCES students(id),
    lesson TEXT NOT NULL,
    score INTEGER NOT NULL,
    total INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (student_id, lesson)
  );
  CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL REFERENCES students(id),
    exercise TEXT NOT NULL,
    status TEXT NOT NULL,
    tests TEXT NOT NULL,
    message TEXT,
    code TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions(student_id, id);
  CREATE TABLE IF NOT EXISTS announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
`;

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * Everything class mode keeps, in one SQLite file (WAL mode), so a server
 * restart in the middle of a class loses nothing.
 */
export class ClassroomStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    );
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Adds a student. A nickname already taken gets the first free suffix
   * ("Ana" → "Ana 2"), so two students never share a name on the dashboard.
   */
  join(requested: string): { student: Student; secret: string } {
    const base = requested.trim().replace(/\s+/g, " ");
    if (!NICKNAME_PATTERN.test(base)) {
      throw new RangeError(
        "A nickname is 1–24 letters, digits, spaces, '_', '.' or '-', starting with a letter or digit.",
      );
    }
    const taken = this.db.prepare("SELECT 1 FROM students WHERE nickname = ?");
    let nickname = base;
    for (let n = 2; taken.get(nickname); n++) nickname = `${base.slice(0, 20)} ${n}`;
    const now = new Date().toISOString();
    const student: Student = {
      id: randomBytes(9).toString("base64url"),
      nickname,
      joinedAt: now,
      lastSeen: now,
    };
    const secret = randomBytes(24).toString("base64url");
    this.db
      .prepare(
        "INSERT INTO students (id, nickname, secret_hash, joined_at, last_seen) VALUES (?, ?, ?, ?, ?)",
      )
      .run(student.id, student.nickname, hashSecret(secret), now, now);
    return { student, secret };
  }

  /** The student whose id and secret match, or undefined. */
  authenticate(id: string, secret: string): Student | undefined {
    const row = this.db.prepare("SELECT * FROM students WHERE id = ?").get(id) as
      Record<string, string> | undefined;
    if (!row) return undefined;
    const expected = Buffer.from(row.secret_hash, "hex");
    const given = Buffer.from(hashSecret(secret), "hex");
    if (!timingSafeEqual(expected, given)) return undefined;
    return toStudent(row);
  }

  student(id: string): Student | undefined {
    const row = this.db.prepare("SELECT * FROM students WHERE id = ?").get(id) as
      Record<string, string> | undefined;
    return row && toStudent(row);
  }

  touch(studentId: string): void {
    this.db
      .prepare("UPDATE students SET last_seen = ? WHERE id = ?")
      .run(new Date().toISOString(), studentId);
  }

  recordVisit(studentId: string, lesson: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO visits (student_id, lesson, at) VALUES (?, ?, ?)")
      .run(studentId, lesson, new Date().toISOString());
  }

  recordQuiz(studentId: string, lesson: string, score: number, total: number): void {
    this.db
      .prepare(
        `INSERT INTO quizzes (student_id, lesson, score, total, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (student_id, lesson) DO UPDATE SET score = excluded.score, total = excluded.total, at = excluded.at`,
      )
      .run(studentId, lesson, score, total, new Date().toISOString());
  }

  recordSubmission(submission: Omit<SubmissionRecord, "id" | "at">): SubmissionRecord {
    const at = new Date().toISOString();
    const result = this.db
      .prepare(
        `INSERT INTO submissions (student_id, exercise, status, tests, message, code, duration_ms, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        submission.studentId,
        submission.exercise,
        submission.status,
        JSON.stringify(submission.tests),
        submission.message ?? null,
        submission.code,
        Math.round(submission.durationMs),
        at,
      );
    return { ...submission, id: Number(result.lastInsertRowid), at };
  }

  latestSubmission(studentId: string): SubmissionRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM submissions WHERE student_id = ? ORDER BY id DESC LIMIT 1")
      .get(studentId) as Record<string, string | number | null> | undefined;
    return row && toSubmission(row);
  }

  announce(text: string): Announcement {
    const at = new Date().toISOString();
    const result = this.db
      .prepare("INSERT INTO announcements (text, at) VALUES (?, ?)")
      .run(text, at);
    return { id: Number(result.lastInsertRowid), text, at };
  }

  announcements(limit = 20): Announcement[] {
    const rows = this.db
      .prepare("SELECT * FROM announcements ORDER BY id DESC LIMIT ?")
      .all(limit) as unknown as Announcement[];
    return rows.reverse().map(({ id, text, at }) => ({ id, text, at }));
  }

  setting(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  students(): Student[] {
    const rows = this.db.prepare("SELECT * FROM students ORDER BY joined_at").all() as Record<
      string,
      string
    >[];
    return rows.map(toStudent);
  }

  /** One student's whole progress, for the dashboard. */
  progress(studentId: string): StudentProgress | undefined {
    const student = this.student(studentId);
    if (!student) return undefined;
    const visits = this.db
      .prepare("SELECT lesson FROM visits WHERE student_id = ? ORDER BY at")
      .all(studentId) as { lesson: string }[];
    const quizzes = this.db
      .prepare("SELECT lesson, score, total FROM quizzes WHERE student_id = ?")
      .all(studentId) as { lesson: string; score: number; total: number }[];
    const exercises = this.db
      .prepare(
        `SELECT exercise, MAX(status = 'pass') AS passed, COUNT(*) AS attempts,
                (SELECT status FROM submissions s2 WHERE s2.student_id = s.student_id AND s2.exercise = s.exercise ORDER BY id DESC LIMIT 1) AS latest
         FROM submissions s WHERE student_id = ? GROUP BY exercise`,
      )
      .all(studentId) as { exercise: string; passed: number; attempts: number; latest: string }[];
    return {
      student,
      lessonsVisited: visits.map((visit) => visit.lesson),
      quizzes: Object.fromEntries(
        quizzes.map((quiz) => [quiz.lesson, { score: quiz.score, total: quiz.total }]),
      ),
      exercises: Object.fromEntries(
        exercises.map((row) => [
          row.exercise,
          { status: row.passed ? "pass" : row.latest, attempts: row.attempts },
        ]),
      ),
      latestSubmission: this.latestSubmission(studentId),
    };
  }

  /** Students who passed each exercise at least once. */
  passCounts(): Record<string, number> {
    const rows = this.db
      .prepare(
        "SELECT exercise, COUNT(DISTINCT student_id) AS passed FROM submissions WHERE status = 'pass' GROUP BY exercise",
      )
      .all() as { exercise: string; passed: number }[];
    return Object.fromEntries(rows.map((row) => [row.exercise, row.passed]));
  }

  /** Every submission, oldest first, for the CSV export. */
  allSubmissions(): (SubmissionRecord & { nickname: string })[] {
    const rows = this.db
      .prepare(
        "SELECT s.*, st.nickname FROM submissions s JOIN students st ON st.id = s.student_id ORDER BY s.id",
      )
      .all() as Record<string, string | number | null>[];
    return rows.map((row) => ({ ...toSubmission(row), nickname: String(row.nickname) }));
  }
}

function toStudent(row: Record<string, string>): Student {
  return { id: row.id, nickname: row.nickname, joinedAt: row.joined_at, lastSeen: row.last_seen };
}

function toSubmission(row: Record<string, string | number | null>): SubmissionRecord {
  return {
    id: Number(row.id),
    studentId: String(row.student_id),
    exercise: String(row.exercise),
    status: row.status as SubmissionRecord["status"],
    tests: JSON.parse(String(row.tests)) as SubmissionRecord["tests"],
    message: row.message === null ? undefined : String(row.message),
    code: String(row.code),
    durationMs: Number(row.duration_ms),
    at: String(row.at),
  };
}
