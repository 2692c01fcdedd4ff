import type { ServerFeature } from "../feature.ts";
import { echoEndpoint } from "./echo.ts";
import { pushEndpoint } from "./push.ts";

/** The WebSocket demos the lessons embed. */
export function createDemosFeature(): ServerFeature {
  return {
    name: "demos",
    webSockets: {
      "/ws/echo": echoEndpoint,
      "/ws/push": pushEndpoint,
    },
  };
}
