import { AppError } from "../errors.ts";
import { KiB, parseJsonObject, readBody, sendJson } from "../http/io.ts";
import { admitScope, createCallerFactory } from "../trpc/init.ts";
import { appRouter } from "../trpc/router.ts";
import type { RestRequest } from "./reports.ts";

/**
 * Alert webhooks over REST (contract §8.3), each route one call of the `webhooks.*` procedures:
 * `POST /v1/webhooks` → 201, `GET /v1/webhooks`, `DELETE /v1/webhooks/{id}` → 204,
 * `GET /v1/webhooks/{id}/deliveries`.
 */

const WEBHOOK_BODY_LIMIT = 16 * KiB;
const createCaller = createCallerFactory(appRouter);

const itemPath = /^\/v1\/webhooks\/([^/]+)$/;
const deliveriesPath = /^\/v1\/webhooks\/([^/]+)\/deliveries$/;

export const isWebhookPath = (path: string) => path === "/v1/webhooks" || path.startsWith("/v1/webhooks/");

const methodNotAllowed = (request: RestRequest, allowed: string) =>
	new AppError({
		code: "METHOD_NOT_ALLOWED",
		message: `${request.method} is not allowed on ${request.path}; it takes ${allowed}`,
		allow: allowed,
	});

const segment = (raw: string) => {
	try {
		return decodeURIComponent(raw);
	} catch {
		throw new AppError({ code: "BAD_REQUEST", message: "id: malformed path segment", field: "id" });
	}
};

/** Token, scope and rate limit are checked before the body is read, as on every REST route. */
const admitted = async (request: RestRequest) => {
	await admitScope(request.context, "webhooks:write");
	return createCaller({ ...request.context, admitted: "webhooks:write" });
};

export const handleWebhooks = async (request: RestRequest): Promise<void> => {
	const { method, path, res } = request;
	if (path === "/v1/webhooks") {
		if (method === "POST") {
			const caller = await admitted(request);
			const body = parseJsonObject(await readBody(request.req, WEBHOOK_BODY_LIMIT));
			sendJson(res, 201, await caller.webhooks.create(body as { url: string }));
			return;
		}
		if (method === "GET") {
			sendJson(res, 200, await (await admitted(request)).webhooks.list());
			return;
		}
		throw methodNotAllowed(request, "GET, POST");
	}
	const deliveries = deliveriesPath.exec(path);
	if (deliveries !== null) {
		if (method !== "GET") throw methodNotAllowed(request, "GET");
		const caller = await admitted(request);
		sendJson(res, 200, await caller.webhooks.deliveries({ id: segment(deliveries[1] ?? "") }));
		return;
	}
	const item = itemPath.exec(path);
	if (item !== null) {
		if (method !== "DELETE") throw methodNotAllowed(request, "DELETE");
		const caller = await admitted(request);
		await caller.webhooks.delete({ id: segment(item[1] ?? "") });
		res.writeHead(204);
		res.end();
		return;
	}
	throw new AppError({ code: "NOT_FOUND", message: `No route for ${method} ${path}` });
};
