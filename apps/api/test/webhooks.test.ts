import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ReportIds, TenantRepository } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeGracefully, webhookEngineOf } from "../src/server.ts";
import { call, startTestServer, type TestServer } from "./support.ts";

/**
 * Alert webhooks (contract §8.3), observed from outside: a local HTTP receiver collects what the server posts, the
 * signature is recomputed here with node:crypto from the secret the API returned, and each payload's alert is
 * compared with the Alerts (or Bot Alerts) report's own answer at that moment.
 */

interface Received {
	readonly path: string;
	readonly headers: http.IncomingHttpHeaders;
	readonly body: string;
}

/** A receiver that records every POST; `answer` picks the status per request (default 200). */
const startReceiver = async () => {
	const received: Array<Received> = [];
	let answer: (request: Received, seen: number) => number = () => 200;
	const server = http.createServer((req, res) => {
		const chunks: Array<Buffer> = [];
		req.on("data", (chunk: Buffer) => chunks.push(chunk));
		req.on("end", () => {
			const request = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
			received.push(request);
			const seen = received.filter((entry) => entry.path === request.path).length;
			res.writeHead(answer(request, seen));
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: (path: string) => `http://127.0.0.1:${port}${path}`,
		received,
		setAnswer: (next: typeof answer) => {
			answer = next;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
};

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
const eventually = async <T>(probe: () => Promise<T | undefined> | T | undefined, deadlineMs = 20_000): Promise<T> => {
	const deadline = Date.now() + deadlineMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error("condition not reached before the deadline");
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
};

/** Checks `Convolens-Signature` as a receiver would: HMAC-SHA256(secret, "<t>.<raw body>") in hex. */
const signatureValid = (secret: string, request: Received) => {
	const header = String(request.headers["convolens-signature"] ?? "");
	const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
	if (match === null) return false;
	const expected = createHmac("sha256", secret).update(`${match[1]}.${request.body}`).digest();
	const t = Number(match[1]);
	return timingSafeEqual(expected, Buffer.from(match[2]!, "hex")) && Math.abs(t - Date.now() / 1000) < 300;
};

const fast = {
	allowPrivate: true,
	coalesceMs: 50,
	evaluateEveryMs: 3_600_000,
	deliveryPollMs: 50,
	retryBaseMs: 100,
	retryForMs: 2_000,
};

const newAccount = async (server: TestServer, name: string, limits?: { datasets?: number }) => {
	const account = await server.runtime.runPromise(
		TenantRepository.use((tenants) => tenants.createAccount({ name, ...(limits ? { limits } : {}) })),
	);
	return { accountId: account.id, token: account.token };
};

const register = async (server: TestServer, token: string, url: string) => {
	const created = await call(server.baseUrl, "/api/v1/webhooks", { token, body: { url } });
	expect(created.status).toBe(201);
	return created.json as { id: string; url: string; secret: string; createdAt: number };
};

const deliveriesOf = async (server: TestServer, token: string, webhookId: string) => {
	const answer = await call(server.baseUrl, `/api/v1/webhooks/${webhookId}/deliveries`, { token });
	expect(answer.status).toBe(200);
	return (answer.json as { items: Array<Record<string, unknown>> }).items;
};

const report = async (server: TestServer, token: string, id: string, input: unknown) => {
	const answer = await call(server.baseUrl, `/api/v1/platform/report/${id}/generate`, { token, body: input });
	expect(answer.status).toBe(200);
	return answer.json as { alerts: Array<{ title: string }> };
};

const at = (receiver: Receiver, path: string) => receiver.received.filter((entry) => entry.path === path);

describe("alert webhooks", () => {
	let server: TestServer;
	let receiver: Receiver;
	beforeAll(async () => {
		receiver = await startReceiver();
		server = await startTestServer({ webhooks: fast });
	});
	afterAll(async () => {
		await server?.close();
		await receiver?.close();
	});

	it("registers, lists and deletes webhooks, showing the secret only at creation", async () => {
		const { token } = await newAccount(server, "Registry");
		const created = await register(server, token, receiver.url("/registry"));
		expect(created).toEqual({
			id: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
			url: receiver.url("/registry"),
			secret: expect.stringMatching(/.{32,}/),
			createdAt: expect.any(Number),
		});
		const listed = await call(server.baseUrl, "/api/v1/webhooks", { token });
		expect(listed.json).toEqual({ items: [{ id: created.id, url: created.url, createdAt: created.createdAt }] });
		expect(listed.text).not.toContain(created.secret);
		expect(await deliveriesOf(server, token, created.id)).toEqual([]);

		const deleted = await call(server.baseUrl, `/api/v1/webhooks/${created.id}`, { token, method: "DELETE" });
		expect(deleted.status).toBe(204);
		expect((await call(server.baseUrl, "/api/v1/webhooks", { token })).json).toEqual({ items: [] });
		const again = await call(server.baseUrl, `/api/v1/webhooks/${created.id}`, { token, method: "DELETE" });
		expect(again.status).toBe(404);
		expect(server.lines.some((line) => JSON.stringify(line).includes(created.secret))).toBe(false);
	});

	it("describes every webhook route in the OpenAPI document", async () => {
		const paths = (await call(server.baseUrl, "/api/v1/openapi.json")).json.paths as Record<string, unknown>;
		expect(paths).toHaveProperty(["/api/v1/webhooks", "post", "responses", "201"]);
		expect(paths).toHaveProperty(["/api/v1/webhooks", "get"]);
		expect(paths).toHaveProperty(["/api/v1/webhooks/{webhookId}", "delete", "responses", "204"]);
		expect(paths).toHaveProperty(["/api/v1/webhooks/{webhookId}/deliveries", "get"]);
	});

	it("posts each newly raised alert once, signed, with the report's own alert object", async () => {
		const { accountId, token } = await newAccount(server, "Alerted", { datasets: 1 });
		const webhook = await register(server, token, receiver.url("/alerted"));

		// One dataset of a plan allowing one: the Datasets limit alert (critical, 100%).
		expect((await call(server.baseUrl, "/api/v1/ingest", { token, body: { datasets: [{ id: "d1" }] } })).status).toBe(
			200,
		);
		const first = await eventually(() => at(receiver, "/alerted")[0]);
		expect(signatureValid(webhook.secret, first)).toBe(true);
		expect(signatureValid("another secret", first)).toBe(false);
		expect(first.headers["content-type"]).toBe("application/json");
		const payload = JSON.parse(first.body) as Record<string, unknown>;
		expect(first.headers["convolens-delivery"]).toBe(payload.id);
		const alerts = await report(server, token, ReportIds.Alerts, {});
		const limit = alerts.alerts.find((alert) => alert.title === "Datasets limit");
		expect(limit).toBeDefined();
		expect(payload).toEqual({
			id: expect.any(String),
			type: "alert.raised",
			accountId,
			createdAt: expect.any(Number),
			reportId: ReportIds.Alerts,
			alert: limit,
		});

		// A second dataset keeps the limit alert raised (now 200%) and three thumbs down raise the bot's negative
		// feedback alert: only the latter is new.
		const more = await call(server.baseUrl, "/api/v1/ingest", {
			token,
			body: {
				datasets: [{ id: "d2" }],
				bots: [{ id: "bot-1", name: "Support" }],
				ratings: [1, 2, 3].map((n) => ({ id: `r${n}`, botId: "bot-1", value: -1 })),
			},
		});
		expect(more.status).toBe(200);
		const second = await eventually(() => at(receiver, "/alerted")[1]);
		const botPayload = JSON.parse(second.body) as Record<string, unknown>;
		const botAlerts = await report(server, token, ReportIds.BotAlerts, { botId: "bot-1" });
		expect(botPayload).toMatchObject({
			type: "alert.raised",
			accountId,
			reportId: ReportIds.BotAlerts,
			botId: "bot-1",
		});
		expect(botPayload.alert).toEqual(botAlerts.alerts.find((alert) => alert.title === "Negative feedback"));
		expect(signatureValid(webhook.secret, second)).toBe(true);

		// Evaluating again with nothing new raised queues nothing.
		await webhookEngineOf(server.server)?.evaluate(accountId);
		const log = await eventually(async () => {
			const items = await deliveriesOf(server, token, webhook.id);
			return items.every((item) => item.status === "delivered") ? items : undefined;
		});
		expect(log).toEqual([
			{
				id: botPayload.id,
				event: "alert.raised",
				status: "delivered",
				attempts: 1,
				lastError: null,
				createdAt: botPayload.createdAt,
				deliveredAt: expect.any(Number),
			},
			{
				id: payload.id,
				event: "alert.raised",
				status: "delivered",
				attempts: 1,
				lastError: null,
				createdAt: payload.createdAt,
				deliveredAt: expect.any(Number),
			},
		]);
		expect(at(receiver, "/alerted")).toHaveLength(2);
	});

	it("starts from nothing raised again once the account's last webhook was deleted", async () => {
		const { accountId, token } = await newAccount(server, "Re-registered", { datasets: 1 });
		const first = await register(server, token, receiver.url("/again-1"));
		await call(server.baseUrl, "/api/v1/ingest", { token, body: { datasets: [{ id: "d" }] } });
		await eventually(() => at(receiver, "/again-1")[0]);
		expect((await call(server.baseUrl, `/api/v1/webhooks/${first.id}`, { token, method: "DELETE" })).status).toBe(204);

		await register(server, token, receiver.url("/again-2"));
		await webhookEngineOf(server.server)?.evaluate(accountId);
		const redelivered = await eventually(() => at(receiver, "/again-2")[0]);
		expect(JSON.parse(redelivered.body)).toMatchObject({ accountId, alert: { title: "Datasets limit" } });
	});

	it("retries a failing endpoint with backoff, then marks the delivery failed when the retry window ends", async () => {
		receiver.setAnswer((request, seen) =>
			request.path === "/flaky" && seen <= 2 ? 500 : request.path === "/down" ? 503 : 200,
		);
		const flaky = await newAccount(server, "Flaky", { datasets: 1 });
		const flakyHook = await register(server, flaky.token, receiver.url("/flaky"));
		const down = await newAccount(server, "Down", { datasets: 1 });
		const downHook = await register(server, down.token, receiver.url("/down"));
		for (const account of [flaky, down]) {
			await call(server.baseUrl, "/api/v1/ingest", { token: account.token, body: { datasets: [{ id: "d" }] } });
		}

		const recovered = await eventually(async () => {
			const [item] = await deliveriesOf(server, flaky.token, flakyHook.id);
			return item?.status === "delivered" ? item : undefined;
		});
		expect(recovered).toMatchObject({ attempts: 3, lastError: null });
		const flakyCalls = at(receiver, "/flaky");
		expect(flakyCalls).toHaveLength(3);
		// Every attempt carries the same delivery id and body.
		expect(new Set(flakyCalls.map((entry) => entry.headers["convolens-delivery"])).size).toBe(1);
		expect(new Set(flakyCalls.map((entry) => entry.body)).size).toBe(1);

		const failed = await eventually(async () => {
			const [item] = await deliveriesOf(server, down.token, downHook.id);
			return item?.status === "failed" ? item : undefined;
		});
		expect(failed).toMatchObject({ lastError: "The endpoint answered 503", deliveredAt: null });
		expect(failed.attempts).toBeGreaterThanOrEqual(2);
		expect(at(receiver, "/down")).toHaveLength(failed.attempts as number);
	});
});

describe("alert webhooks across processes", () => {
	let receiver: Receiver;
	beforeAll(async () => {
		receiver = await startReceiver();
	});
	afterAll(() => receiver?.close());

	it("delivers after a restart what a stopped process queued but never sent", async () => {
		// The first process evaluates but its delivery loop never runs before it stops.
		const first = await startTestServer({ webhooks: { ...fast, deliveryPollMs: 3_600_000 } });
		let second: TestServer | undefined;
		try {
			const { token } = await newAccount(first, "Restarted", { datasets: 1 });
			const webhook = await register(first, token, receiver.url("/restart"));
			await call(first.baseUrl, "/api/v1/ingest", { token, body: { datasets: [{ id: "d" }] } });
			const [queued] = await eventually(async () => {
				const items = await deliveriesOf(first, token, webhook.id);
				return items.length > 0 ? items : undefined;
			});
			expect(queued).toMatchObject({ status: "pending", attempts: 0 });
			await closeGracefully(first.server);
			await first.stop();
			expect(at(receiver, "/restart")).toHaveLength(0);

			second = await startTestServer({ databaseUrl: first.databaseUrl, webhooks: fast });
			const delivered = await eventually(() => at(receiver, "/restart")[0]);
			expect(delivered.headers["convolens-delivery"]).toBe(queued?.id);
			expect(signatureValid(webhook.secret, delivered)).toBe(true);
			const [logged] = await eventually(async () => {
				const items = await deliveriesOf(second!, token, webhook.id);
				return items[0]?.status === "delivered" ? items : undefined;
			});
			expect(logged).toMatchObject({ id: queued?.id, attempts: 1 });
		} finally {
			await second?.stop();
			await first.close();
		}
	});

	it("queues and sends one delivery per newly raised alert when two processes evaluate at once", async () => {
		const first = await startTestServer({ webhooks: fast });
		const second = await startTestServer({ databaseUrl: first.databaseUrl, webhooks: fast });
		try {
			const { accountId, token } = await newAccount(first, "Shared", { datasets: 1 });
			const webhook = await register(first, token, receiver.url("/shared"));
			await call(second.baseUrl, "/api/v1/ingest", { token, body: { datasets: [{ id: "d" }] } });
			const engines = [webhookEngineOf(first.server), webhookEngineOf(second.server)];
			await Promise.all(engines.flatMap((engine) => [engine?.evaluate(accountId), engine?.evaluate(accountId)]));
			const log = await eventually(async () => {
				const items = await deliveriesOf(first, token, webhook.id);
				return items.length > 0 && items.every((item) => item.status === "delivered") ? items : undefined;
			});
			expect(log).toHaveLength(1);
			expect(at(receiver, "/shared")).toHaveLength(1);
			expect(at(receiver, "/shared")[0]?.headers["convolens-delivery"]).toBe(log[0]?.id);
		} finally {
			await second.stop();
			await first.close();
		}
	});
});
