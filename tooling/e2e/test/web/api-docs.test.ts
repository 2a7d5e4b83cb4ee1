/**
 * The API reference at /docs as a person opens it, served by the real api in Debian's Chromium: the interactive
 * reference renders from this server alone (every request the page makes stays on the server's origin, nothing is
 * blocked, no console error), and without JavaScript the static reference inside `<noscript>` is what shows.
 */
import type { AddressInfo } from "node:net";
import { type AppRuntime, closeGracefully, createServer, type Logger } from "@convolens/api/serving";
import { makeDatabaseLayer } from "@convolens/db";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { ManagedRuntime } from "effect";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.ts";

let database: TestDatabase;
let runtime: AppRuntime;
let server: ReturnType<typeof createServer>;
let baseUrl: string;
let browser: Browser;
const serverErrors: Array<string> = [];

const logger: Logger = {
	debug: () => {},
	info: () => {},
	warn: () => {},
	error: (message, fields) => void serverErrors.push(`${message} ${JSON.stringify(fields)}`),
};

beforeAll(async () => {
	database = await createTestDatabase();
	runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 2 }));
	server = createServer({ runtime, logger, rateLimit: false });
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	if (server !== undefined) await closeGracefully(server, 1_000);
	await runtime?.dispose();
	await database?.drop();
});

describe("the API reference in a browser", () => {
	it("renders the interactive reference from this server alone, without console errors", async () => {
		const context = await browser.newContext({ locale: "en-US", viewport: { width: 1360, height: 900 } });
		const page = await context.newPage();
		const requests: Array<string> = [];
		const failed: Array<string> = [];
		const consoleErrors: Array<string> = [];
		page.on("request", (request) => void requests.push(request.url()));
		page.on("requestfailed", (request) => void failed.push(`${request.url()} ${request.failure()?.errorText}`));
		page.on("console", (message) => {
			// CSP violations and failed loads are reported here as errors too.
			if (message.type() === "error") consoleErrors.push(message.text());
		});
		page.on("pageerror", (error) => void consoleErrors.push(error.message));

		const response = await page.goto(`${baseUrl}/docs`);
		expect(response?.status()).toBe(200);
		// The sidebar and the search are rendered by the script (the <noscript> copy is not part of the page).
		await page.getByRole("button", { name: /Open Search/ }).waitFor({ timeout: 60_000 });
		await page.getByRole("link", { name: "Total Ratings" }).first().click();
		const operation = page.getByRole("heading", { name: "Total Ratings", level: 3 });
		await operation.waitFor({ timeout: 30_000 });
		// Its request example comes from the document.
		await page.getByText('"timezone": "Europe/Berlin"').first().waitFor({ timeout: 10_000 });
		// Let late requests (fonts, lazy chunks) show up before the origin check; the page keeps no connection idle
		// long enough for "networkidle" on a loaded machine.
		await page.waitForLoadState("load");
		await new Promise((resolve) => setTimeout(resolve, 2_000));

		expect(requests).toContain(`${baseUrl}/api/v1/openapi.json`);
		expect(requests.some((url) => url.startsWith(`${baseUrl}/docs/scalar.js?v=`))).toBe(true);
		const elsewhere = requests.filter((url) => !url.startsWith(`${baseUrl}/`) && !url.startsWith("data:"));
		expect(elsewhere).toEqual([]);
		expect(failed).toEqual([]);
		expect(consoleErrors).toEqual([]);
		expect(serverErrors).toEqual([]);
		await context.close();
	});

	it("shows the static reference when JavaScript is off", async () => {
		const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1360, height: 900 } });
		const page = await context.newPage();
		const requests: Array<string> = [];
		page.on("request", (request) => void requests.push(request.url()));
		await page.goto(`${baseUrl}/docs`);
		await expect(page.getByRole("heading", { name: "Authentication" }).isVisible()).resolves.toBe(true);
		await expect(page.getByRole("link", { name: "Total Ratings" }).isVisible()).resolves.toBe(true);
		expect(await page.locator("#reference").innerHTML()).toBe("");
		expect(requests.filter((url) => !url.startsWith(`${baseUrl}/`))).toEqual([]);
		await context.close();
	});
});
