import { createDemosFeature } from "./demos/index.ts";
import type { ServerFeature } from "./feature.ts";

/** Settings that reach the features from the command line (`npm start -- …`). */
export interface FeatureOptions {
  /** Root of the project (exercises, data folder). */
  root: string;
}

/** Every part of the sandbox server, in the order they see HTTP requests. */
export function createFeatures(_options: FeatureOptions): ServerFeature[] {
  return [createDemosFeature()];
}
