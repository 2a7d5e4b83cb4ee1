import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, type WireError } from "../errors.ts";

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Reads the whole body, failing with 413 as soon as it (or its declared length) exceeds `limit` bytes. */
export const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
	new Promise((resolve, reject) => {
		const tooLarge = () =>
			new AppError({ code: "CONTENT_TOO_LARGE", message: `Request body exceeds the limit of ${formatBytes(limit)}` });
		const declared = Number(req.headers["content-length"]);
		if (Number.isFinite(declared) && declared > limit) {
			reject(tooLarge());
			return;
		}
		const chunks: Array<Buffer> = [];
		let size = 0;
		let done = false;
		req.on("data", (chunk: Buffer) => {
			if (done) return;
			size += chunk.length;
			if (size > limit) {
				done = true;
				reject(tooLarge());
				return;
			}
			chunks.push(chunk);
		});
		req.on("end", () => {
			if (done) return;
			done = true;
			resolve(Buffer.concat(chunks));
		});
		req.on("error", (error) => {
			if (done) return;
			done = true;
			reject(error);
		});
	});

const formatBytes = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`);

/** Parses a body that must be one JSON object (not an array, not a primitive). */
export const parseJsonObject = (body: Buffer): Record<string, unknown> => {
	const text = body.toString("utf8");
	if (text.trim() === "") throw new AppError({ code: "BAD_REQUEST", message: "Request body must be a JSON object" });
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new AppError({ code: "BAD_REQUEST", message: "Request body is not valid JSON" });
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		throw new AppError({ code: "BAD_REQUEST", message: "Request body must be a JSON object" });
	}
	return value as Record<string, unknown>;
};

export const sendJson = (
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Readonly<Record<string, string>> = {},
): void => {
	const payload = JSON.stringify(body);
	res.writeHead(status, {
		...headers,
		"content-type": "application/json; charset=utf-8",
		"content-length": Buffer.byteLength(payload),
	});
	res.end(payload);
};

export const sendWireError = (res: ServerResponse, error: WireError, headers: Record<string, string> = {}): void => {
	// Already answered (e.g. the request timed out first): nothing more to say.
	if (res.writableEnded) return;
	// A streamed response failed midway: cut it, so the client sees a truncated body rather than a wrong one.
	if (res.headersSent) {
		res.destroy();
		return;
	}
	// RFC 9110: a 401 names the scheme the client must use.
	const challenge: Record<string, string> =
		error.status === 401 ? { "www-authenticate": 'Bearer realm="convolens"' } : {};
	sendJson(res, error.status, { message: error.message, code: error.code }, { ...challenge, ...headers });
};
