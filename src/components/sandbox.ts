/** Where the sandbox server is: the page's own origin (it serves the site). */
export function sandboxUrl(path: string, protocol: "http" | "ws" = "http"): string {
  const url = new URL(path, location.href);
  if (protocol === "ws") url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

let health: Promise<boolean> | undefined;

/**
 * Whether the sandbox server answers `/healthz` (one probe per page, retried
 * after a failure). False on a static host, where demos cannot run.
 */
export function sandboxReachable(retry = false): Promise<boolean> {
  if (!health || retry) {
    health = fetch(sandboxUrl("/healthz"), { cache: "no-store" })
      .then(async (response) => response.ok && (await response.json()).status === "ok")
      .catch(() => false);
  }
  return health;
}
