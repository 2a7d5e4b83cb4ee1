/**
 * The api app's public surface for other packages: the router type for typed clients (type-only, so importing it
 * pulls no server code into a client bundle) and the plain data shapes its procedures return.
 */
export type { AppErrorData } from "./trpc/init.ts";
export type {
	AppRouter,
	BatchInput,
	BatchOutput,
	EraseRequestBody,
	IngestRequest,
	ReportFailureData,
	ReportListItem,
	ReportListPage,
	ReportResult,
} from "./trpc/router.ts";
