/**
 * The dashboard's assets as the api serves them (`src/web.ts`): caching headers, ETags, the page fallback, path
 * traversal, the demo-token route and its loopback check. A bare HTTP server around the handler; no database.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebHandler, isLoopback } from "../src/web.ts";

/** The api's dashboard handler behind a bare server that answers 404 for whatever it hands back. */
const serve = async (options: Parameters<typeof createWebHandler>[0]) => {
	const handle = createWebHandler(options);
	const server = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? "/", "http://localhost");
		if (!(await handle(req, res, req.method ?? "GET", url.pathname))) {
			res.writeHead(404, { "content-type": "application/json" });
			res.end('{"code":"NOT_FOUND"}');
		}
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
};

const html = { accept: "text/html,application/xhtml+xml" };

describe("the dashboard's assets", () => {
	let dir: string;
	let server: Awaited<ReturnType<typeof serve>>;

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), "convolens-web-"));
		await mkdir(path.join(dir, "assets"));
		await writeFile(path.join(dir, "index.html"), "<!doctype html><title>Convolens</title>");
		await writeFile(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
		await writeFile(path.join(dir, "favicon.svg"), "<svg/>");
		await writeFile(path.join(path.dirname(dir), "convolens-secret.txt"), "outside");
		server = await serve({ dir, demoToken: "demo-token-value" });
	});

	afterAll(async () => {
		await server.close();
		await rm(dir, { recursive: true, force: true });
		await rm(path.join(path.dirname(dir), "convolens-secret.txt"), { force: true });
	});

	it("serves index.html at / for revalidation on every load, with a same-origin content security policy", async () => {
		const response = await fetch(`${server.baseUrl}/`);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
		expect(response.headers.get("cache-control")).toBe("no-cache");
		expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
		expect(await response.text()).toContain("<title>Convolens</title>");
	});

	it("caches hashed assets for a year and answers a matching ETag with 304", async () => {
		const first = await fetch(`${server.baseUrl}/assets/index-abc123.js`);
		expect(first.status).toBe(200);
		expect(first.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
		expect(first.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
		expect(await first.text()).toBe("console.log(1)");
		const etag = first.headers.get("etag");
		expect(etag).toMatch(/^".+"$/);
		const again = await fetch(`${server.baseUrl}/assets/index-abc123.js`, { headers: { "if-none-match": etag ?? "" } });
		expect(again.status).toBe(304);
	});

	it("serves other build files with a short cache", async () => {
		const response = await fetch(`${server.baseUrl}/favicon.svg`);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("image/svg+xml");
		expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
	});

	it("answers a browser's navigation to an unknown page path with index.html", async () => {
		const response = await fetch(`${server.baseUrl}/bots/some-bot`, { headers: html });
		expect(response.status).toBe(200);
		expect(response.headers.get("vary")).toContain("Accept");
		expect(await response.text()).toContain("<title>Convolens</title>");
	});

	it("leaves API paths, missing assets, files with extensions and non-browser callers to the 404", async () => {
		for (const [pathname, headers] of [
			["/api/v1/nothing", html],
			["/trpc/nothing", html],
			["/assets/missing.js", html],
			["/robots.txt", html],
			["/nope", {}],
			["/nope", { accept: "application/json" }],
		] as const) {
			const response = await fetch(`${server.baseUrl}${pathname}`, { headers });
			expect(response.status, pathname).toBe(404);
			expect(response.headers.get("content-type"), pathname).toBe("application/json");
		}
		const post = await fetch(`${server.baseUrl}/`, { method: "POST", headers: html });
		expect(post.status).toBe(404);
	});

	it("never serves a file outside the build directory", async () => {
		// Raw requests: fetch would normalise the dot segments away before they reach the server.
		const raw = (pathname: string) =>
			new Promise<{ status: number; body: string }>((resolve, reject) => {
				const request = http.get(`${server.baseUrl}/`, { path: pathname, headers: html }, (response) => {
					let body = "";
					response.on("data", (chunk: Buffer) => {
						body += chunk.toString();
					});
					response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
				});
				request.on("error", reject);
			});
		for (const pathname of ["/../convolens-secret.txt", "/%2e%2e/convolens-secret.txt", "/..%2Fconvolens-secret.txt"]) {
			const response = await raw(pathname);
			expect(response.status, pathname).toBe(404);
			expect(response.body, pathname).not.toContain("outside");
		}
	});

	it("hands the demo token to a loopback caller", async () => {
		const response = await fetch(`${server.baseUrl}/api/demo-token`);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ token: "demo-token-value" });
	});

	it("withholds the demo token from a request a proxy forwarded", async () => {
		for (const headers of [{ "x-forwarded-for": "203.0.113.7" }, { forwarded: "for=203.0.113.7" }] as Array<
			Record<string, string>
		>) {
			const response = await fetch(`${server.baseUrl}/api/demo-token`, { headers });
			expect(response.status).toBe(404);
			expect(await response.text()).not.toContain("demo-token-value");
		}
	});

	it("withholds the demo token from a page that reached this address under another name (DNS rebinding)", async () => {
		const { port } = new URL(server.baseUrl);
		const ask = (host: string) =>
			new Promise<{ status: number; body: string }>((resolve, reject) => {
				const request = http.get(
					{ host: "127.0.0.1", port, path: "/api/demo-token", headers: { host } },
					(response) => {
						let body = "";
						response.on("data", (chunk) => {
							body += chunk;
						});
						response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
					},
				);
				request.on("error", reject);
			});
		for (const host of [
			`attacker.example:${port}`,
			"attacker.example",
			`127.0.0.1.nip.io:${port}`,
			`localhost.attacker.example`,
		]) {
			const answer = await ask(host);
			expect(answer.status, host).toBe(404);
			expect(answer.body).not.toContain("demo-token-value");
		}
		for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "LOCALHOST"]) {
			expect(await ask(host), host).toEqual({ status: 200, body: JSON.stringify({ token: "demo-token-value" }) });
		}
	});
});

describe("the demo token route", () => {
	it("is a 404 when the server has no demo token", async () => {
		const server = await serve({ dir: tmpdir() });
		try {
			const response = await fetch(`${server.baseUrl}/api/demo-token`);
			expect(response.status).toBe(404);
		} finally {
			await server.close();
		}
	});

	it("counts only this machine as loopback", () => {
		for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
			expect(isLoopback(address), address).toBe(true);
		}
		for (const address of [undefined, "10.0.0.1", "192.168.1.5", "::ffff:10.0.0.1", "fe80::1", "1127.0.0.1", "::2"]) {
			expect(isLoopback(address), String(address)).toBe(false);
		}
	});
});

describe("a server without a build", () => {
	it("answers / with a plain page saying how to build the dashboard", async () => {
		const dir = await mkdtemp(path.join(tmpdir(), "convolens-empty-"));
		const server = await serve({ dir });
		try {
			const response = await fetch(`${server.baseUrl}/`);
			expect(response.status).toBe(503);
			expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
			const text = await response.text();
			expect(text).toContain("pnpm turbo run build --filter=@convolens/web");
			expect(text).toContain("npm start");
		} finally {
			await server.close();
			await rm(dir, { recursive: true, force: true });
		}
	});
});
