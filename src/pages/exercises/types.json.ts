/**
 * `/exercises/types.json`: the TypeScript declarations Monaco needs for
 * solution.ts (`ws`, `socket.io`, `socket.io-client` and Node), bundled from
 * node_modules at build time into one static file that the editor fetches
 * when it loads. Not fetched before a student opens an editor.
 */
import type { APIRoute } from "astro";
import { declarationFiles } from "../../components/exercise/declarations.ts";

export const GET: APIRoute = () =>
  new Response(JSON.stringify(declarationFiles()), {
    headers: { "content-type": "application/json" },
  });
