import { createCaptureFeature } from "./capture/index.ts";
import type { Classroom } from "./classroom/index.ts";
import { createDemosFeature } from "./demos/index.ts";
import type { ServerFeature } from "./feature.ts";
import { createGradingFeature, type GradingFeatureOptions } from "./grading/index.ts";
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
  /** Exercise grading (`/api/exercises`, `/api/grade`, `/ws/grade`); off when omitted. */
  grading?: GradingFeatureOptions;
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
    ...(options.grading
      ? [createGradingFeature(classGrading(options.grading, options.classroom))]
      : []),
    ...(options.classroom ? [options.classroom] : []),
  ];
}

/**
 * In class mode a submission's `client` is the student's class credential:
 * the instructor's pause refuses grading, and every result is recorded.
 */
function classGrading(
  grading: GradingFeatureOptions,
  classroom: Classroom | undefined,
): GradingFeatureOptions {
  if (!classroom) return grading;
  return {
    ...grading,
    refusal: () =>
      classroom.gradingPaused()
        ? "Your instructor has paused grading for the moment. Try again soon."
        : undefined,
    onGraded({ client, exercise, files, result }) {
      const student = classroom.studentFor(client);
      if (!student) return;
      classroom.recordSubmission({
        studentId: student.id,
        exercise,
        code: files["solution.ts"] ?? "",
        result,
      });
    },
  };
}
