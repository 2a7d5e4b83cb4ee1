import type { IncomingMessage, ServerResponse } from "node:http";
import { isReportId, reportsById, type Scope } from "@convolens/core";
import { AppError, toWireError } from "../errors.ts";
import { KiB, MiB, parseJsonObject, readBody, sendBody, sendJson } from "../http/io.ts";
import { type AppContext, admitScope, createCallerFactory } from "../trpc/init.ts";
import {
	appRouter,
	type BatchOutput,
	type EraseRequestBody,
	type IngestRequest,
	procedureNameById,
} from "../trpc/router.ts";
import { csvFileName, csvTableOf, csvText } from "./csv.ts";

/**
 * The REST adapter (contract §1.1): the wire contract of `@chatbotkit/sdk`'s `PlatformReportClient`, served by calling
 * the tRPC router in-process. Nothing here computes a report; it only translates HTTP to procedure calls and back.
 */

export const REPORT_BODY_LIMIT = 256 * KiB;
export const INGEST_BODY_LIMIT = 10 * MiB;

const createCaller = createCallerFactory(appRouter);

type Caller = ReturnType<typeof createCaller>;
type SingleReportCall = (input: unknown) => Promise<unknown>;

export interface RestRequest {
	readonly req: IncomingMessage;
	readonly res: ServerResponse;
	readonly method: string;
	/** The path with the optional `/api` prefix removed, e.g. `/v1/platform/report/list`. */
	readonly path: string;
	readonly query: URLSearchParams;
	readonly context: AppContext;
}

const singleReportPath = /^\/v1\/platform\/report\/([^/]+)\/generate$/;

const wantsJsonl = (req: IncomingMessage) => (req.headers.accept ?? "").toLowerCase().includes("application/jsonl");

/** A single report answers CSV when `Accept` names `text/csv` (contract §8.2); errors stay JSON. */
const wantsCsv = (req: IncomingMessage) => (req.headers.accept ?? "").toLowerCase().includes("text/csv");

const listReports = async (caller: Caller, { req, res, query }: RestRequest) => {
	const input: { take?: string; order?: "asc" | "desc"; cursor?: string } = {};
	const take = query.get("take");
	const order = query.get("order");
	const cursor = query.get("cursor");
	if (take !== null && take !== "") input.take = take;
	if (order !== null && order !== "") input.order = order as "asc" | "desc";
	if (cursor !== null && cursor !== "") input.cursor = cursor;
	const page = await caller.reports.list(input);
	if (!wantsJsonl(req)) {
		sendJson(res, 200, page);
		return;
	}
	res.writeHead(200, { "content-type": "application/jsonl; charset=utf-8" });
	for (const item of page.items) res.write(`${JSON.stringify({ type: "item", data: item })}\n`);
	res.end();
};

/** A batch result in the REST shape: each key its output or `{error, code}`. */
const restBatchOutput = (results: BatchOutput) =>
	// Built from entries, so a key such as `__proto__` stays an ordinary key of the answer.
	Object.fromEntries(
		Object.entries(results).flatMap(([id, result]) =>
			result === undefined
				? []
				: [[id, result.ok ? result.data : { error: result.error.message, code: result.error.code }]],
		),
	);

/** True when the caller asked for the live form (contract §8.1). */
export const wantsEventStream = (req: IncomingMessage) =>
	(req.headers.accept ?? "").toLowerCase().includes("text/event-stream");

/** Batch: each key answers either its output or `{error, code}`; one failure never fails the others. */
const generateBatch = async (caller: Caller, request: RestRequest) => {
	const body = parseJsonObject(await readBody(request.req, REPORT_BODY_LIMIT));
	if (wantsEventStream(request.req)) {
		await streamBatch(caller, body, request);
		return;
	}
	sendJson(request.res, 200, restBatchOutput(await caller.reports.generate(body)));
};

/**
 * The live form of the batch: `event: result` with the plain answer's JSON, first at once and then after each change,
 * and a comment line every `heartbeatMs`. Refusals before the first result (limits, a bad body) stay JSON errors.
 */
const streamBatch = async (caller: Caller, body: Record<string, unknown>, { res, context }: RestRequest) => {
	const results = await caller.reports.watch(body);
	const iterator = results[Symbol.asyncIterator]();
	const first = await iterator.next();
	res.writeHead(200, {
		"content-type": "text/event-stream; charset=utf-8",
		"cache-control": "no-store, no-transform",
		"x-accel-buffering": "no",
	});
	res.flushHeaders();
	const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), context.live?.heartbeatMs ?? 15_000);
	try {
		for (let next = first; !next.done; next = await iterator.next()) {
			res.write(`event: result\ndata: ${JSON.stringify(restBatchOutput(next.value))}\n\n`);
		}
	} catch (error) {
		// The status line is already sent: the failure goes out as the stream's last event.
		const wire = toWireError(error);
		res.write(`event: error\ndata: ${JSON.stringify({ message: wire.message, code: wire.code })}\n\n`);
	} finally {
		clearInterval(heartbeat);
		await iterator.return?.();
		res.end();
	}
};

const generateSingle = async (caller: Caller, reportId: string, { req, res }: RestRequest) => {
	const body = parseJsonObject(await readBody(req, REPORT_BODY_LIMIT));
	const name = procedureNameById.get(reportId);
	if (name === undefined) {
		// The scope was checked before the body was read, so an unknown ID never tells a read-less token anything.
		throw new AppError({ code: "NOT_FOUND", message: "Report not found", tag: "ReportNotFound" });
	}
	const call = caller.reports[name] as SingleReportCall;
	const output = await call(body);
	if (!wantsCsv(req) || !isReportId(reportId)) {
		sendJson(res, 200, output);
		return;
	}
	const report = reportsById[reportId];
	sendBody(res, 200, csvText(csvTableOf(output, report.outputJsonSchema)), {
		"content-type": "text/csv; charset=utf-8",
		"content-disposition": `attachment; filename="${csvFileName(report.name)}"`,
	});
};

/** Drill-down: the query string as the procedure's input (`take` as a number when it is one). */
const listConversationsRest = async (caller: Caller, { res, query }: RestRequest) => {
	const input: Record<string, unknown> = {};
	for (const key of ["start", "end", "botId", "contactId", "rating", "take", "cursor"]) {
		const value = query.get(key);
		if (value !== null && value !== "") input[key] = key === "take" && /^\d+$/.test(value) ? Number(value) : value;
	}
	sendJson(res, 200, await caller.conversations.list(input as never));
};

const ingest = async (caller: Caller, { req, res }: RestRequest) => {
	const body = parseJsonObject(await readBody(req, INGEST_BODY_LIMIT));
	sendJson(res, 200, await caller.ingest.batch(body as IngestRequest));
};

const erase = async (caller: Caller, { req, res }: RestRequest) => {
	const body = parseJsonObject(await readBody(req, INGEST_BODY_LIMIT));
	sendJson(res, 200, await caller.ingest.delete(body as EraseRequestBody));
};

type Handler = (caller: Caller, request: RestRequest) => Promise<void>;

const routes: ReadonlyArray<{
	readonly method: string;
	readonly path: string;
	readonly scope: Scope;
	readonly handler: Handler;
}> = [
	{ method: "GET", path: "/v1/platform/report/list", scope: "reports:read", handler: listReports },
	{ method: "POST", path: "/v1/platform/report/generate", scope: "reports:read", handler: generateBatch },
	{ method: "GET", path: "/v1/conversations", scope: "reports:read", handler: listConversationsRest },
	{ method: "POST", path: "/v1/ingest", scope: "ingest:write", handler: ingest },
	{ method: "POST", path: "/v1/ingest/delete", scope: "ingest:write", handler: erase },
];

/** Handles one REST request; throws `AppError`s (or procedure errors) that the server turns into `{message, code}`. */
export const handleRest = async (request: RestRequest): Promise<void> => {
	const route = routes.find((candidate) => candidate.path === request.path);
	if (route !== undefined) {
		if (route.method !== request.method) throw methodNotAllowed(request, route.method);
		await route.handler(await admitted(request, route.scope), request);
		return;
	}
	const single = singleReportPath.exec(request.path);
	if (single !== null) {
		if (request.method !== "POST") throw methodNotAllowed(request, "POST");
		await generateSingle(await admitted(request, "reports:read"), decodePathSegment(single[1] ?? ""), request);
		return;
	}
	throw new AppError({ code: "NOT_FOUND", message: `No route for ${request.method} ${request.path}` });
};

const decodePathSegment = (segment: string) => {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw new AppError({ code: "BAD_REQUEST", message: "reportId: malformed path segment", field: "reportId" });
	}
};

/**
 * Token (401), scope (403) and rate limit (429) are checked before the body is read, so a refused request costs no
 * reading or parsing; the procedures then do not count the request again.
 */
const admitted = async (request: RestRequest, scope: Scope): Promise<Caller> => {
	await admitScope(request.context, scope);
	return createCaller({ ...request.context, admitted: scope });
};

const methodNotAllowed = (request: RestRequest, allowed: string) =>
	new AppError({
		code: "METHOD_NOT_ALLOWED",
		message: `${request.method} is not allowed on ${request.path}; it takes ${allowed}`,
		allow: allowed,
	});
