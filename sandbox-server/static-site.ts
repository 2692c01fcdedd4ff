import type { IncomingMessage, ServerResponse } from "node:http";
import sirv from "sirv";

/**
 * Serves the built Astro site. Hashed assets under `/_astro/` never change, so
 * they are cached for a year; pages revalidate with ETags on every visit.
 */
export function createStaticSite(siteDir: string) {
  const serve = sirv(siteDir, {
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
