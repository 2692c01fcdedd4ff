import { createCaptureFeature } from "./capture/index.ts";
import type { Classroom } from "./classroom/index.ts";
import { createDemosFeature } from "./demos/index.ts";
import type { ServerFeature } from "./feature.ts";
import { createRawFeature } from "./raw/index.ts";
import { createRealtimeFeature } from "./realtime/index.ts";

/** Settings that reach the features from the command line (`npm start -- …`). */
export interface FeatureOptions {
  /** Root of the project (exercises, data folder). */
  root: string;
  /** Origins allowed to open demo connections (default: the request's own host and localhost). */
  originAllowlist?: string[];
  /** Open realtime connections (Socket.IO, `/ws/chat`) per client IP (default 40). */
  maxConnectionsPerIp?: number;
  /** Class mode (`npm start -- --class`): students, progress, the instructor's dashboard. */
  classroom?: Classroom;
}

/** Every part of the sandbox server, in the order they see HTTP requests. */
export function createFeatures(options: FeatureOptions): ServerFeature[] {
  return [
    createDemosFeature(),
    createRawFeature(),
    createCaptureFeature(),
    createRealtimeFeature({
      originAllowlist: options.originAllowlist,
      maxConnectionsPerIp: options.maxConnectionsPerIp,
    }),
    ...(options.classroom ? [options.classroom] : []),
  ];
}
