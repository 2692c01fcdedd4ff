// @ts-check
import mdx from "@astrojs/mdx";
import { defineConfig } from "astro/config";
import { fileURLToPath } from "node:url";
import * as pagefind from "pagefind";

/**
 * Builds the static full-text search index (dist/pagefind/) after every build.
 * @type {import("astro").AstroIntegration}
 */
const searchIndex = {
  name: "wirelab-search-index",
  hooks: {
    "astro:build:done": async ({ dir, logger }) => {
      const site = fileURLToPath(dir);
      const { index, errors } = await pagefind.createIndex({});
      if (!index) throw new Error(`Pagefind could not start: ${errors.join("; ")}`);
      const { page_count } = await index.addDirectory({ path: site });
      await index.writeFiles({ outputPath: `${site}/pagefind` });
      await pagefind.close();
      logger.info(`search index: ${page_count} pages`);
    },
  },
};

// `npm run dev` starts the sandbox server on its own port and sets this, so
// `astro dev` forwards demo traffic (HTTP and WebSocket upgrades) to it.
const sandbox = process.env.WIRELAB_SANDBOX_URL;
const sandboxPaths = ["/ws", "/socket.io", "/api", "/healthz"];

export default defineConfig({
  integrations: [mdx(), searchIndex],
  trailingSlash: "ignore",
  build: { format: "directory" },
  devToolbar: { enabled: false },
  markdown: {
    shikiConfig: {
      themes: { light: "github-light-default", dark: "github-dark-default" },
      defaultColor: false,
      wrap: false,
    },
  },
  server: { port: 4321, host: "127.0.0.1" },
  vite: {
    // Monaco's editor and TypeScript workers (`?worker` imports in
    // src/components/exercise/monaco-editor.ts) are ES modules with imports.
    worker: { format: "es" },
    server: sandbox
      ? {
          proxy: Object.fromEntries(
            sandboxPaths.map((path) => [path, { target: sandbox, ws: true, changeOrigin: false }]),
          ),
        }
      : {},
  },
});
