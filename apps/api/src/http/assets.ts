import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendBody } from "./io.ts";

/** A file's bytes with the strong ETag of its content. */
export interface Asset {
	readonly body: Buffer;
	readonly etag: string;
}

export const assetOf = (body: Buffer): Asset => ({
	body,
	etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 27)}"`,
});

/**
 * Answers a static asset: `304` when the client already holds this ETag, else the body through `sendBody` (so it is
 * compressed when the client accepts it). The caller sets any other header (a CSP) before.
 */
export const sendAsset = (
	req: IncomingMessage,
	res: ServerResponse,
	asset: Asset,
	headers: { readonly contentType: string; readonly cacheControl: string },
): void => {
	res.setHeader("cache-control", headers.cacheControl);
	res.setHeader("etag", asset.etag);
	if (req.headers["if-none-match"] === asset.etag) {
		res.writeHead(304);
		res.end();
		return;
	}
	sendBody(res, 200, asset.body, { "content-type": headers.contentType }, req.method === "HEAD");
};
