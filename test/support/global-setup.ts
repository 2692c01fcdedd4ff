import { fileURLToPath } from "node:url";
import { ensureSiteBuilt } from "../../sandbox-server/site-build.ts";

/** Browser and static-file tests need the built site: build it once, only when stale. */
export default async function setup() {
  await ensureSiteBuilt(fileURLToPath(new URL("../..", import.meta.url)), () => {});
}
