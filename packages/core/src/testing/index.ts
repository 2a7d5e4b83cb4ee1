export {
	emptySnapshot,
	memoryAccountRepository,
	memoryActivityRepository,
	memoryQueries,
	memoryRepositories,
} from "./memory.ts";
export { type RandomSnapshotOptions, randomSnapshot } from "./random.ts";
export { type ReferenceContext, type ReferenceResult, referenceReport } from "./reference.ts";
