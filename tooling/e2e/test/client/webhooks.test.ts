/**
 * `client.webhooks` against the real server (contract §8.3): registration, the delivery log of a real delivery to a
 * local receiver, deletion, and errors as `ConvolensError`s — from a client of either transport.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ConvolensError, createClient } from "@convolens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "../support.ts";

describe("client.webhooks", () => {
	let server: TestServer;
	let receiver: http.Server;
	let posts = 0;
	beforeAll(async () => {
		receiver = http.createServer((req, res) => {
			req.resume();
			req.on("end", () => {
				posts++;
				res.writeHead(200);
				res.end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
		server = await startTestServer({
			webhooks: { allowPrivate: true, coalesceMs: 50, deliveryPollMs: 50, evaluateEveryMs: 3_600_000 },
		});
	});
	afterAll(async () => {
		await server?.close();
		await new Promise<void>((resolve) => receiver.close(() => resolve()));
	});

	for (const transport of ["trpc", "rest"] as const) {
		it(`registers, lists, reads the delivery log and deletes (${transport} client)`, async () => {
			const { token } = await server.createAccount(`Client ${transport}`);
			const paths: Array<string> = [];
			const client = createClient({
				url: server.baseUrl,
				token,
				transport,
				fetch: (input, init) => {
					paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
					return fetch(input, init);
				},
			});
			const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/${transport}`;
			const created = await client.webhooks.create({ url });
			expect(created).toEqual({
				id: expect.any(String),
				url,
				secret: expect.any(String),
				createdAt: expect.any(Number),
			});
			expect(await client.webhooks.list()).toEqual([{ id: created.id, url, createdAt: created.createdAt }]);

			// Three thumbs down on a bot raise its negative-feedback alert.
			const before = posts;
			await call(server.baseUrl, "/api/v1/ingest", {
				token,
				body: { bots: [{ id: "b" }], ratings: [1, 2, 3].map((n) => ({ id: `r${n}`, botId: "b", value: -1 })) },
			});
			const deadline = Date.now() + 20_000;
			let log = await client.webhooks.deliveries(created.id);
			while (log[0]?.status !== "delivered") {
				if (Date.now() > deadline) throw new Error("no delivery before the deadline");
				await new Promise((resolve) => setTimeout(resolve, 50));
				log = await client.webhooks.deliveries(created.id);
			}
			expect(log).toEqual([
				{
					id: expect.any(String),
					event: "alert.raised",
					status: "delivered",
					attempts: 1,
					lastError: null,
					createdAt: expect.any(Number),
					deliveredAt: expect.any(Number),
				},
			]);
			expect(posts).toBeGreaterThan(before);

			await client.webhooks.delete(created.id);
			expect(await client.webhooks.list()).toEqual([]);
			const missing = await client.webhooks.delete(created.id).catch((error: unknown) => error);
			expect(missing).toBeInstanceOf(ConvolensError);
			expect((missing as ConvolensError).code).toBe("NOT_FOUND");
			const refused = await client.webhooks.create({ url: "ftp://example.com/" }).catch((error: unknown) => error);
			expect((refused as ConvolensError).code).toBe("BAD_REQUEST");
			// Each call went over the client's own transport.
			const prefix = transport === "trpc" ? "/trpc/webhooks." : "/api/v1/webhooks";
			expect(paths.length).toBeGreaterThanOrEqual(6);
			expect(paths.filter((path) => !path.startsWith(prefix))).toEqual([]);
		});
	}
});
