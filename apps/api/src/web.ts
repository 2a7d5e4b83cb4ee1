/**
 * The dashboard: the built `apps/web` assets served at `/`, and the demo token for a browser on the same machine.
 *
 * - `index.html` is revalidated on every load (`no-cache`), so a new build is picked up at once; the hashed files
 *   under `/assets/` never change and are cached for a year (`immutable`).
 * - A browser navigation (`Accept: text/html`) to a path that is not an API route and names no file (`/bots`,
 *   `/anything`) answers `index.html`, so a page link survives a reload. Any other caller, a missing `/assets/…`
 *   file or a path with a file extension gets the API's JSON 404, as every unknown route does.
 * - Without a build, `/` answers a plain page saying how to make one, never an error.
 * - `GET /api/demo-token` answers `{"token"}` only when the server was started with the demo account's token and
 *   the request comes from loopback without proxy forwarding headers; otherwise it is the same 404 as any unknown
 *   route.
 */
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Asset, assetOf, sendAsset } from "./http/assets.ts";
import { sendJson } from "./http/io.ts";

export interface WebOptions {
	/** The `vite build` output; default `apps/web/dist` of this repository. */
	readonly dir?: string;
	/** The demo account's token, handed to loopback browsers at `/api/demo-token`; unset → that route is 404. */
	readonly demoToken?: string | undefined;
}

export const defaultWebDir = fileURLToPath(new URL("../../web/dist/", import.meta.url));

const buildCommand = "pnpm turbo run build --filter=@convolens/web";

/** The page's scripts, styles and API calls all come from this origin; nothing inline, nothing external. */
const pageCsp =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const contentTypes: Readonly<Record<string, string>> = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".map": "application/json; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".jpg": "image/jpeg",
	".ico": "image/x-icon",
	".webp": "image/webp",
	".woff2": "font/woff2",
	".txt": "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
};

/** `localhost`, `127.0.0.1` or `[::1]`, with or without a port. */
const isLoopbackHost = (host: string | undefined): boolean =>
	host !== undefined && /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i.test(host);

/** Whether a socket's peer is this machine (IPv4, IPv6 or IPv4-mapped IPv6 loopback). */
export const isLoopback = (address: string | undefined): boolean =>
	address !== undefined &&
	(address === "::1" || /^127(?:\.\d{1,3}){3}$/.test(address) || /^::ffff:127(?:\.\d{1,3}){3}$/i.test(address));

/** Paths that belong to the API: never answered with the page, so API clients always get JSON. */
const isApiPath = (pathname: string): boolean => /^\/(?:api|v1|trpc|docs|healthz|readyz)(?:\/|$)/.test(pathname);

const notBuiltPage = (dir: string) =>
	"The Convolens dashboard has not been built yet.\n\n" +
	`Build it with:\n\n    ${buildCommand}\n\n` +
	"(`npm start` builds it before starting the server.)\n" +
	`Expected the built files in ${dir}\n\n` +
	"The API is running: see /docs for its reference.\n";

/**
 * Answers the request when it is the dashboard's; `false` hands it back to the router (which answers 404).
 * Files are read per request (a rebuild needs no restart) and their ETag lets browsers revalidate cheaply.
 */
export const createWebHandler = (options: WebOptions = {}) => {
	const dir = path.resolve(options.dir ?? defaultWebDir);
	const demoToken = options.demoToken;
	const cache = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly asset: Asset }>();

	const load = async (file: string): Promise<Asset | undefined> => {
		const info = await stat(file).catch(() => undefined);
		if (info === undefined || !info.isFile()) return undefined;
		const cached = cache.get(file);
		if (cached !== undefined && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.asset;
		const asset = assetOf(await readFile(file));
		cache.set(file, { mtimeMs: info.mtimeMs, size: info.size, asset });
		return asset;
	};

	const send = (req: IncomingMessage, res: ServerResponse, file: string, asset: Asset, cacheControl: string) => {
		const type = contentTypes[path.extname(file).toLowerCase()] ?? "application/octet-stream";
		if (type.startsWith("text/html")) res.setHeader("content-security-policy", pageCsp);
		else res.removeHeader("content-security-policy");
		sendAsset(req, res, asset, { contentType: type, cacheControl });
	};

	return async (req: IncomingMessage, res: ServerResponse, method: string, pathname: string): Promise<boolean> => {
		if (pathname === "/api/demo-token" && method === "GET") {
			// A reverse proxy on this machine makes every caller look local; its forwarding headers give it away.
			const forwarded = req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined;
			// A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) reaches this address with its own
			// name in Host: only a loopback name gets the token.
			if (
				demoToken === undefined ||
				forwarded ||
				!isLoopback(req.socket.remoteAddress) ||
				!isLoopbackHost(req.headers.host)
			) {
				return false;
			}
			sendJson(res, 200, { token: demoToken });
			return true;
		}
		if ((method !== "GET" && method !== "HEAD") || isApiPath(pathname)) return false;

		let relative: string;
		try {
			relative = decodeURIComponent(pathname);
		} catch {
			return false;
		}
		const file = path.join(dir, path.normalize(relative));
		if (file !== dir && !file.startsWith(dir + path.sep)) return false;

		if (relative !== "/" && relative !== "/index.html") {
			const asset = await load(file);
			if (asset !== undefined) {
				const immutable = relative.startsWith("/assets/");
				send(req, res, file, asset, immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600");
				return true;
			}
			// A missing build file stays a 404; a browser's page route (no extension) gets the page.
			const accept = req.headers.accept ?? "";
			if (relative.startsWith("/assets/") || path.extname(relative) !== "" || !accept.includes("text/html")) {
				return false;
			}
			res.appendHeader("vary", "Accept");
		}

		const indexFile = path.join(dir, "index.html");
		const index = await load(indexFile);
		if (index === undefined) {
			res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
			res.end(req.method === "HEAD" ? undefined : notBuiltPage(dir));
			return true;
		}
		send(req, res, indexFile, index, "no-cache");
		return true;
	};
};
