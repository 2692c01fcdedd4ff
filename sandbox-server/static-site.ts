import type { IncomingMessage, ServerResponse } from "node:http";
import sirv from "sirv";

/**
 * Serves the built Astro site. Hashed assets under `/_astro/` never change, so
 * they are cached for a year; pages revalidate with ETags on every visit.
 */
export function createStaticSite(siteDir: string) {
  const serve = sirv(siteDir, {
    // Look files up per request rather than caching the list at start-up, so
    // a rebuild of dist/ while the server runs never serves a vanished file.
    dev: true,
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(response, pathname) {
      response.setHeader(
        "cache-control",
        pathname.startsWith("/_astro/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
  return (request: IncomingMessage, response: ServerResponse) => {
    serve(request, response, () => {
      response.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      response.end(
        `<!doctype html><html lang="en"><title>Not found</title><p>Nothing here. <a href="/">Back to the course</a></p></html>`,
      );
    });
  };
}
