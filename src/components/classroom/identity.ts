/**
 * The student's class identity in this browser (class mode only). Kept in
 * localStorage so it survives reloads and browser restarts.
 */
const KEY = "wirelab:class";

export interface ClassIdentity {
  /** `<studentId>.<secret>`: proves who the student is to the server. */
  credential: string;
  nickname: string;
}

export function classIdentity(): ClassIdentity | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as ClassIdentity | null;
    return value?.credential ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveClassIdentity(identity: ClassIdentity | undefined): void {
  if (identity) localStorage.setItem(KEY, JSON.stringify(identity));
  else localStorage.removeItem(KEY);
}
