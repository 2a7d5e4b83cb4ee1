import type { IncomingMessage, ServerResponse } from "node:http";
import zlib from "node:zlib";
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

/** Bodies smaller than this go out as they are: compressing them saves less than it costs. */
const COMPRESS_FROM_BYTES = 1024;

/**
 * The encoding to answer a request with: `br` or `gzip` when its `Accept-Encoding` allows one (a `q=0` refuses it),
 * else none.
 */
export const negotiateEncoding = (accept: string | undefined): "br" | "gzip" | undefined => {
	if (accept === undefined) return undefined;
	const allowed = new Map<string, number>();
	for (const part of accept.toLowerCase().split(",")) {
		const [name = "", ...parameters] = part.trim().split(";");
		const q = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
		allowed.set(name.trim(), q === undefined ? 1 : Number(q));
	}
	const accepts = (name: string) => (allowed.get(name) ?? allowed.get("*") ?? 0) > 0;
	if (accepts("br")) return "br";
	if (accepts("gzip")) return "gzip";
	return undefined;
};

/**
 * Writes a whole answer, compressed (br or gzip, in the thread pool, not on the event loop) when the client accepts
 * it and the body is worth it; `Vary: Accept-Encoding` on every answer that could have been compressed.
 */
export const sendBody = (
	res: ServerResponse,
	status: number,
	body: string | Buffer,
	headers: Readonly<Record<string, string>>,
	head = false,
): void => {
	const bytes = typeof body === "string" ? Buffer.from(body) : body;
	const encoding =
		bytes.length >= COMPRESS_FROM_BYTES ? negotiateEncoding(res.req?.headers["accept-encoding"]) : undefined;
	const vary: Record<string, string> = bytes.length >= COMPRESS_FROM_BYTES ? { vary: "accept-encoding" } : {};
	const write = (payload: Buffer, extra: Record<string, string>) => {
		// Answered meanwhile (the request timed out while the body was being compressed): nothing more to say.
		if (res.headersSent || res.writableEnded) return;
		res.writeHead(status, { ...headers, ...vary, ...extra, "content-length": String(payload.length) });
		res.end(head ? undefined : payload);
	};
	if (encoding === undefined) {
		write(bytes, {});
		return;
	}
	const done = (error: Error | null, compressed: Buffer) =>
		error ? write(bytes, {}) : write(compressed, { "content-encoding": encoding });
	if (encoding === "br") {
		zlib.brotliCompress(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }, done);
	} else zlib.gzip(bytes, { level: 6 }, done);
};

export const sendJson = (
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Readonly<Record<string, string>> = {},
): void =>
	sendBody(res, status, JSON.stringify(body), { ...headers, "content-type": "application/json; charset=utf-8" });

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
