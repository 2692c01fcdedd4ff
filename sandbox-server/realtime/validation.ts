/** An error a client can act on: a stable `code` to branch on and a sentence to show. */
export interface RealtimeError {
  code: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: RealtimeError };

/** Room and display names: 1–32 characters from this set, no space at either end. */
export const LABEL_PATTERN = /^[A-Za-z0-9_.-](?:[A-Za-z0-9 _.-]{0,30}[A-Za-z0-9_.-])?$/;
export const LABEL_RULE = "1-32 characters of A-Z a-z 0-9 space _ . - (no space at either end)";

/** A lab id (`/events`): 1–64 characters of `A-Za-z0-9_-`. */
export const LAB_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a room or display name; the error message never repeats the rejected value. */
export function checkLabel(kind: "room" | "name", value: unknown): Checked<string> {
  if (typeof value === "string" && LABEL_PATTERN.test(value)) return { ok: true, value };
  const code = kind === "room" ? "INVALID_ROOM" : "INVALID_NAME";
  const problem = typeof value === "string" ? "invalid" : "missing";
  return { ok: false, error: { code, message: `${problem} ${kind}: use ${LABEL_RULE}` } };
}

/** Checks a chat text: a string of 1..max characters. It is data, never markup. */
export function checkText(value: unknown, max: number): Checked<string> {
  if (typeof value === "string" && value.length >= 1 && value.length <= max) {
    return { ok: true, value };
  }
  return {
    ok: false,
    error: { code: "INVALID_TEXT", message: `text must be a string of 1-${max} characters` },
  };
}

/** A display name for someone who gave none: `guest-` and four hex digits. */
export function guestName(): string {
  return `guest-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0")}`;
}
