/**
 * The API reference routes:
 * - `GET /docs`: the interactive reference (Scalar), with the static reference in `<noscript>`;
 * - `GET /docs/static`: the static reference alone, without any script;
 * - `GET /docs/scalar.js`: Scalar's standalone bundle, read from the installed package. The page links it with its
 *   content hash in the query (`?v=`), so it is cached for a year and a new version is a new URL;
 * - `GET /docs/reference.js`: the few lines that mount the bundle (inline scripts are not allowed by the CSP).
 * Everything goes through `sendBody`, so the 5 MB bundle is compressed for clients that accept it.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { mountScript, renderDocsPage, renderReferencePage } from "./docs.ts";
import { type Asset, assetOf, sendAsset } from "./http/assets.ts";
import { sendBody } from "./http/io.ts";
import type { OpenApiDocument } from "./openapi.ts";

/** Scalar's self-contained browser build (no chunks, no imports), inside the installed package. */
const scalarBundleFile = path.join(
	path.dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")),
	"browser",
	"standalone.js",
);

/** The static reference: no script at all, inline styles only. */
const staticCsp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/**
 * The interactive reference: scripts and API calls of this origin only. Scalar injects its stylesheet and sets
 * inline styles at run time, hence `'unsafe-inline'` for styles (never for scripts); its icons are data: URLs.
 */
const referenceCsp =
	"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const javascript = "text/javascript; charset=utf-8";
const html = "text/html; charset=utf-8";

export const createDocsHandler = (document: () => OpenApiDocument) => {
	let bundle: Promise<Asset> | undefined;
	let referencePage: string | undefined;
	let staticPage: string | undefined;
	const mount = assetOf(Buffer.from(mountScript));

	const loadBundle = () => {
		// A failed read is tried again by the next request rather than remembered.
		bundle ??= readFile(scalarBundleFile)
			.then(assetOf)
			.catch((error: unknown) => {
				bundle = undefined;
				throw error;
			});
		return bundle;
	};

	return async (req: IncomingMessage, res: ServerResponse, method: string, pathname: string): Promise<boolean> => {
		if (method !== "GET" && method !== "HEAD") return false;
		const head = method === "HEAD";
		switch (pathname) {
			case "/docs":
			case "/docs/": {
				const { etag } = await loadBundle();
				referencePage ??= renderReferencePage(document(), {
					bundle: `/docs/scalar.js?v=${etag.replaceAll('"', "")}`,
					mount: `/docs/reference.js?v=${mount.etag.replaceAll('"', "")}`,
				});
				sendBody(res, 200, referencePage, { "content-type": html, "content-security-policy": referenceCsp }, head);
				return true;
			}
			case "/docs/static":
				staticPage ??= renderDocsPage(document());
				sendBody(res, 200, staticPage, { "content-type": html, "content-security-policy": staticCsp }, head);
				return true;
			case "/docs/scalar.js":
				res.removeHeader("content-security-policy");
				sendAsset(req, res, await loadBundle(), {
					contentType: javascript,
					cacheControl: "public, max-age=31536000, immutable",
				});
				return true;
			case "/docs/reference.js":
				res.removeHeader("content-security-policy");
				sendAsset(req, res, mount, { contentType: javascript, cacheControl: "public, max-age=31536000, immutable" });
				return true;
			default:
				return false;
		}
	};
};
