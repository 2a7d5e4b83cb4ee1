export { makeProgress, type Progress } from "../cli/progress.ts";
export { demoLimits, seedDemo } from "./demo.ts";
export { type ActivityOptions, generateActivity, generateResources, type IngestBody } from "./generate.ts";
export { type LoadProgress, loadBodies } from "./load.ts";
