import http from "node:http";
import type { AddressInfo } from "node:net";
import { ReportIds, TenantRepository } from "@convolens/core";
import { makeDatabaseLayer } from "@convolens/db";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { Effect, Layer, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRuntime } from "../src/runtime.ts";
import { createServer } from "../src/server.ts";
import { tracingLayer } from "../src/tracing.ts";
import { call, memoryLogger } from "./support.ts";

/**
 * Traces over OTLP (contract §11), received the way a collector receives them: an HTTP server here takes the
 * exporter's `POST /v1/traces` (OTLP JSON) and keeps every span, and the test reads the parent links from them.
 */

interface OtlpSpan {
	readonly traceId: string;
	readonly spanId: string;
	readonly parentSpanId?: string;
	readonly name: string;
	readonly attributes?: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>;
}

const attribute = (span: OtlpSpan, key: string) => {
	const value = span.attributes?.find((entry) => entry.key === key)?.value;
	return value === undefined ? undefined : Object.values(value)[0];
};

describe("OpenTelemetry traces", () => {
	let database: TestDatabase;
	let runtime: AppRuntime;
	let receiver: http.Server;
	let server: http.Server;
	let baseUrl: string;
	const spans: Array<OtlpSpan> = [];
	const paths: Array<string> = [];

	beforeAll(async () => {
		receiver = http.createServer((req, res) => {
			let body = "";
			req.on("data", (chunk: Buffer) => {
				body += chunk.toString();
			});
			req.on("end", () => {
				paths.push(req.url ?? "");
				const payload = JSON.parse(body) as {
					resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<OtlpSpan> }> }>;
				};
				for (const resource of payload.resourceSpans) {
					for (const scope of resource.scopeSpans) spans.push(...scope.spans);
				}
				res.writeHead(200, { "content-type": "application/json" });
				res.end("{}");
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
		const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

		database = await createTestDatabase();
		runtime = ManagedRuntime.make(
			Layer.merge(
				makeDatabaseLayer({ url: database.url, poolSize: 4 }),
				tracingLayer({ endpoint, exportIntervalMs: 100 }),
			),
		);
		server = createServer({ runtime, logger: memoryLogger().logger, rateLimit: false, tracing: true });
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server?.closeAllConnections();
		await new Promise<void>((resolve) => server?.close(() => resolve()));
		await runtime?.dispose();
		await new Promise<void>((resolve) => receiver?.close(() => resolve()));
		await database?.drop();
	});

	it("sends one request's spans with their parent links: request → report programs → SQL statements", async () => {
		const { id: accountId, token } = await runtime.runPromise(
			Effect.flatMap(TenantRepository, (tenants) => tenants.createAccount({ name: "Traced" })),
		);
		const response = await call(baseUrl, "/api/v1/platform/report/generate", {
			token,
			body: { [ReportIds.TotalRatings]: { periodDays: 7 }, [ReportIds.TotalContacts]: {} },
		});
		expect(response.status).toBe(200);
		const requestId = response.headers.get("x-request-id");

		const deadline = Date.now() + 15_000;
		const requestSpan = () =>
			spans.find((span) => span.name === "http.request" && attribute(span, "convolens.request_id") === requestId);
		while (Date.now() < deadline) {
			const request = requestSpan();
			const names = new Set(spans.filter((span) => span.traceId === request?.traceId).map((span) => span.name));
			if (names.has("Reports.totalRatings") && names.has("Reports.totalContacts") && names.has("db.query")) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(paths.every((path) => path === "/v1/traces")).toBe(true);
		const request = requestSpan();
		expect(request).toBeDefined();
		expect(request?.parentSpanId ?? "").toBe("");
		expect(attribute(request!, "http.response.status_code")).toBe(200);
		expect(attribute(request!, "convolens.account_id")).toBe(accountId);

		const trace = spans.filter((span) => span.traceId === request!.traceId);
		const byId = new Map(trace.map((span) => [span.spanId, span]));
		/** The chain of parents from `span` up to the root, all inside this trace. */
		const ancestors = (span: OtlpSpan) => {
			const chain: Array<OtlpSpan> = [];
			for (let parent = byId.get(span.parentSpanId ?? ""); parent !== undefined; ) {
				chain.push(parent);
				parent = byId.get(parent.parentSpanId ?? "");
			}
			return chain;
		};
		for (const name of ["Reports.totalRatings", "Reports.totalContacts"]) {
			const program = trace.find((span) => span.name === name);
			expect(program, name).toBeDefined();
			expect(ancestors(program!).at(-1)?.spanId, `${name} descends from the request`).toBe(request!.spanId);
			expect(attribute(program!, "convolens.account_id")).toBe(accountId);
		}
		const statements = trace.filter((span) => span.name === "db.query");
		expect(statements.length).toBeGreaterThan(0);
		for (const statement of statements) {
			expect(ancestors(statement).at(-1)?.spanId).toBe(request!.spanId);
			expect(String(attribute(statement, "db.query.text"))).toMatch(/^(SELECT|WITH|INSERT|UPDATE)/i);
		}
		// Some statement descends from a report program, not only from the token lookup.
		expect(
			statements.some((statement) => ancestors(statement).some((span) => span.name === "Reports.totalRatings")),
		).toBe(true);
		// Statement texts carry no parameters: the account id appears only as an attribute.
		expect(statements.some((statement) => String(attribute(statement, "db.query.text")).includes(accountId))).toBe(
			false,
		);
	});
});
