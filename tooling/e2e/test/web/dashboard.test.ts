/**
 * The dashboard as a person uses it: the built page (turbo builds `@convolens/web` before this package's `test`),
 * served by the real api over a fresh database with the demo account, in Debian's Chromium. Every number the page
 * shows is checked against the REST API for the same period and timezone.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AppRuntime, closeGracefully, createServer, defaultWebDir, type Logger } from "@convolens/api/serving";
import {
	Alerts,
	BotConversationQuality,
	BotNegativeFeedback,
	BotPerformance,
	ComprehensiveAnalytics,
	TotalConversations,
	TotalMessages,
} from "@convolens/client";
import { makeDatabaseLayer, seedDemo } from "@convolens/db";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { ManagedRuntime } from "effect";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.ts";

// Debian's Chromium by default (.ci/run installs it); CHROMIUM_PATH points elsewhere (e.g. Chrome on CI runners).
const timezone = "America/New_York";
const resultsDir = fileURLToPath(new URL("../../test-results/", import.meta.url));
const en = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

let database: TestDatabase;
let runtime: AppRuntime;
let server: ReturnType<typeof createServer>;
let baseUrl: string;
let token: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const serverErrors: Array<string> = [];
const consoleErrors: Array<string> = [];

const logger: Logger = {
	debug: () => {},
	info: () => {},
	warn: () => {},
	error: (message, fields) => void serverErrors.push(`${message} ${JSON.stringify(fields)}`),
};

/** One report over REST, as a legacy caller would ask for it. */
const rest = async <T>(reportId: string, input: Record<string, unknown>): Promise<T> => {
	const response = await fetch(`${baseUrl}/api/v1/platform/report/${reportId}/generate`, {
		method: "POST",
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-timezone": timezone },
		body: JSON.stringify(input),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as T;
};

/** One report's CSV over REST, as the dashboard's download asks for it. */
const restCsv = async (reportId: string, input: Record<string, unknown>): Promise<string> => {
	const response = await fetch(`${baseUrl}/api/v1/platform/report/${reportId}/generate`, {
		method: "POST",
		headers: {
			authorization: `Bearer ${token}`,
			accept: "text/csv",
			"content-type": "application/json",
			"x-timezone": timezone,
		},
		body: JSON.stringify(input),
	});
	expect(response.status).toBe(200);
	return response.text();
};

/** The text of a card's value once the card has loaded. */
const cardValue = async (testId: string): Promise<string> => {
	const value = page.locator(`[data-testid="${testId}"][data-state="ok"] .metric-value`);
	await value.waitFor({ timeout: 30_000 });
	return (await value.textContent()) ?? "";
};

const waitLoaded = (testId: string) =>
	page.locator(`[data-testid="${testId}"][data-state="ok"]`).waitFor({ timeout: 30_000 });

beforeAll(async () => {
	if (!existsSync(path.join(defaultWebDir, "index.html"))) {
		throw new Error(
			`The dashboard is not built (${defaultWebDir}): run pnpm turbo run build --filter=@convolens/web ` +
				"(turbo's test task of @convolens/e2e depends on it)",
		);
	}
	database = await createTestDatabase();
	runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
	const account = await runtime.runPromise(seedDemo({ now: new Date() }));
	token = account.token;
	server = createServer({ runtime, logger, rateLimit: false, demoToken: token });
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	browser = await launchChromium();
	context = await browser.newContext({ locale: "en-US", timezoneId: timezone, viewport: { width: 1360, height: 900 } });
	page = await context.newPage();
	page.on("console", (message) => {
		if (message.type() === "error") consoleErrors.push(message.text());
	});
	page.on("pageerror", (error) => consoleErrors.push(error.message));
	await mkdir(resultsDir, { recursive: true });
});

afterAll(async () => {
	await browser?.close();
	if (server !== undefined) await closeGracefully(server, 1_000);
	await runtime?.dispose();
	await database?.drop();
});

describe("the dashboard in a browser", () => {
	it("opens the dashboard straight away in demo mode and shows the API's numbers for the last 30 days", async () => {
		// No click: a first visit on the demo server's machine takes the offered demo token itself.
		await page.goto(`${baseUrl}/`);
		await page.getByTestId("period-label").waitFor({ timeout: 15_000 });
		expect(await page.evaluate(() => window.localStorage.getItem("convolens.token"))).toBe(token);

		expect(await page.getByLabel("Timezone", { exact: true }).inputValue()).toBe(timezone);
		expect(await page.getByTestId("period-label").textContent()).toBe("Last 30 days");
		const conversations = await rest<{ value: number }>(TotalConversations.id, { periodDays: 30 });
		expect(conversations.value).toBeGreaterThan(0);
		expect(await cardValue("metric-total-conversations")).toBe(en.format(conversations.value));
		const messages = await rest<{ value: number }>(TotalMessages.id, { periodDays: 30 });
		expect(await cardValue("metric-messages")).toBe(en.format(messages.value));

		for (const card of [
			"metric-active-contacts",
			"metric-ratings",
			"metric-thumbs-up",
			"metric-thumbs-down",
			"metric-tokens",
		]) {
			await cardValue(card);
			expect(await page.locator(`[data-testid="${card}"] .sparkline polyline`).count(), card).toBe(1);
		}
		for (const chart of ["trend-conversations", "trend-messages", "trend-ratings"]) {
			await waitLoaded(chart);
			// This period and the previous one, overlaid.
			expect(await page.locator(`[data-testid="${chart}"] polyline.series`).count(), chart).toBe(2);
		}

		await waitLoaded("alerts");
		const alerts = await rest<{ alerts: ReadonlyArray<{ severity: string }> }>(Alerts.id, { periodDays: 30 });
		expect(await page.locator('[data-testid="alerts"] .alert-list li').count()).toBe(alerts.alerts.length);
		for (const severity of ["critical", "warning", "info"]) {
			if (alerts.alerts.length === 0) break;
			const count = alerts.alerts.filter((alert) => alert.severity === severity).length;
			expect(await page.getByTestId(`alert-count-${severity}`).textContent()).toBe(`${count} ${severity}`);
		}

		await page.screenshot({ path: path.join(resultsDir, "dashboard.png"), fullPage: true });
		expect(consoleErrors).toEqual([]);
	});

	it("updates a number on screen by itself after an ingest, with no click", async () => {
		await page.goto(`${baseUrl}/#/?days=30`);
		await page.locator('[data-testid="live-state"]', { hasText: "Live" }).waitFor({ timeout: 30_000 });
		const before = await rest<{ value: number }>(TotalConversations.id, { periodDays: 30 });
		expect(await cardValue("metric-total-conversations")).toBe(en.format(before.value));
		const ingested = await fetch(`${baseUrl}/api/v1/ingest`, {
			method: "POST",
			headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
			body: JSON.stringify({ conversations: [{ id: "live-e2e-conversation" }] }),
		});
		expect(ingested.status).toBe(200);
		const ingestedAt = performance.now();
		// The contract's bound is 2 s; the deadline here is wider so a loaded machine does not fail the build, and the
		// time measured is printed.
		await expect
			.poll(() => page.locator('[data-testid="metric-total-conversations"] .metric-value').textContent(), {
				timeout: 10_000,
				interval: 50,
			})
			.toBe(en.format(before.value + 1));
		console.log(`live update on screen ${Math.round(performance.now() - ingestedAt)} ms after the ingest answered`);
	});

	it("changes the numbers when the period changes", async () => {
		const thirtyDays = await cardValue("metric-total-conversations");
		await page.getByRole("button", { name: "7 days" }).click();
		const week = await rest<{ value: number }>(TotalConversations.id, { periodDays: 7 });
		await expect.poll(() => cardValue("metric-total-conversations"), { timeout: 30_000 }).toBe(en.format(week.value));
		expect(en.format(week.value)).not.toBe(thirtyDays);
		expect(await page.getByTestId("period-label").textContent()).toBe("Last 7 days");

		// A custom range: the two weeks ending three days ago, in the browser's timezone.
		const today = new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(new Date());
		const shift = (days: number) =>
			new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
		const range = { startDate: shift(-16), endDate: shift(-3) };
		await page.getByRole("button", { name: "Custom" }).click();
		await page.getByLabel("From", { exact: true }).fill(range.startDate);
		await page.getByLabel("To", { exact: true }).fill(range.endDate);
		await page.getByRole("button", { name: "Apply" }).click();
		const ranged = await rest<{ value: number }>(TotalMessages.id, range);
		await expect.poll(() => cardValue("metric-messages"), { timeout: 30_000 }).toBe(en.format(ranged.value));
		expect(await page.getByTestId("period-label").textContent()).toBe(`${range.startDate} to ${range.endDate}`);
		expect(consoleErrors).toEqual([]);
	});

	it("formats the top bots' numbers as the cards do", async () => {
		await page.getByRole("button", { name: "30 days" }).click();
		await page.getByRole("link", { name: "Overview" }).click();
		await waitLoaded("top-bots");
		type Item = { name: string; tags: Array<{ name: string; value: string | number }> };
		const analytics = await rest<{ data: Array<{ details: { metric: string; list: Array<Item> } }> }>(
			ComprehensiveAnalytics.id,
			{ periodDays: 30 },
		);
		const bots = (analytics.data.find((entry) => entry.details.metric === "totalTokens")?.details.list ?? []).filter(
			(item) => item.tags.some((tag) => tag.name === "kind" && tag.value === "bot"),
		);
		expect(bots.length, "the demo's bots are ranked").toBeGreaterThan(0);
		const tag = (item: Item, name: string) => Number(item.tags.find((entry) => entry.name === name)?.value);
		const first = bots[0]!;
		const line = await page.locator('[data-testid="top-bots"] li').first().locator(".small").textContent();
		expect(line).toBe(
			`${en.format(tag(first, "tokens"))} tokens · ${en.format(tag(first, "conversations"))} conversations · ${en.format(tag(first, "messages"))} messages`,
		);
		// Thousands are grouped: no bare run of four or more digits in any bot's line.
		const lines = await page.locator('[data-testid="top-bots"] li .small').allTextContents();
		expect(lines.length).toBe(Math.min(8, bots.length));
		for (const text of lines) expect(text).not.toMatch(/\d{4,}/);
	});

	it("lists a chart point's conversations when it is clicked, on the overview and for the chosen bot", async () => {
		await page.getByRole("button", { name: "30 days" }).click();
		await page.getByRole("link", { name: "Overview" }).click();
		await waitLoaded("trend-conversations");
		type Bucket = { date: string; start: string; end: string; total: number };
		const conversations = await rest<{ breakdown: Array<Bucket> }>(TotalConversations.id, { periodDays: 30 });
		// The busiest day of the period, so the list has rows to check.
		const busiest = conversations.breakdown.reduce((best, bucket) => (bucket.total > best.total ? bucket : best));
		expect(busiest.total).toBeGreaterThan(0);
		/** Every conversation of a bucket over REST, page after page: what the list must show, in order. */
		const listed = async (bucket: Bucket, botId?: string) => {
			const ids: Array<string> = [];
			let cursor: string | undefined;
			do {
				const query = new URLSearchParams({ start: bucket.start, end: bucket.end, take: "100" });
				if (botId !== undefined) query.set("botId", botId);
				if (cursor !== undefined) query.set("cursor", cursor);
				const response = await fetch(`${baseUrl}/api/v1/conversations?${query}`, {
					headers: { authorization: `Bearer ${token}` },
				});
				expect(response.status).toBe(200);
				const page = (await response.json()) as { items: Array<{ id: string }>; cursor?: string };
				ids.push(...page.items.map((item) => item.id));
				cursor = page.cursor;
			} while (cursor !== undefined);
			return ids;
		};
		const expected = await listed(busiest);
		// The bucket's span holds exactly the conversations the chart counted for it.
		expect(expected.length).toBe(busiest.total);

		await page.locator(`[data-testid="trend-conversations"] rect.hit[data-bucket="${busiest.date}"]`).click();
		const list = page.locator('[data-testid="conversation-list"]');
		await page.locator('[data-testid="conversation-list"][data-state="ok"]').waitFor({ timeout: 30_000 });
		const rows = () =>
			list.locator("tbody tr").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-conversation")));
		expect(await rows()).toEqual(expected.slice(0, 25));
		// The rest a page at a time.
		while ((await list.getByRole("button", { name: "Load more" }).count()) > 0) {
			const shown = (await rows()).length;
			await list.getByRole("button", { name: "Load more" }).click();
			await expect.poll(async () => (await rows()).length).toBeGreaterThan(shown);
			await page.locator('[data-testid="conversation-list"][data-state="ok"]').waitFor({ timeout: 30_000 });
		}
		expect(await rows()).toEqual(expected);
		await page.screenshot({ path: path.join(resultsDir, "drill-down.png"), fullPage: true });
		await list.getByRole("button", { name: "Close" }).click();
		expect(await list.count()).toBe(0);

		// On a bot's page the list keeps to that bot.
		await page.getByRole("link", { name: "Bots" }).click();
		await waitLoaded("bot-performance");
		const botId = await page.getByLabel("Bot", { exact: true }).inputValue();
		const performance = await rest<{ conversations: { breakdown: Array<Bucket> } }>(BotPerformance.id, {
			botId,
			periodDays: 30,
		});
		const botDay = performance.conversations.breakdown.reduce((best, bucket) =>
			bucket.total > best.total ? bucket : best,
		);
		expect(botDay.total).toBeGreaterThan(0);
		const botExpected = await listed(botDay, botId);
		expect(botExpected.length).toBe(botDay.total);
		await page.locator(`[data-testid="bot-performance"] rect.hit[data-bucket="${botDay.date}"]`).first().click();
		await page.locator('[data-testid="conversation-list"][data-state="ok"]').waitFor({ timeout: 30_000 });
		expect(await rows()).toEqual(botExpected.slice(0, 25));
		const bots = await list.locator("tbody tr td:nth-child(3)").allTextContents();
		expect(new Set(bots)).toEqual(new Set([botId]));
		expect(consoleErrors).toEqual([]);
	});

	it("shows a bot's performance, conversation quality and negative feedback", async () => {
		await page.getByRole("button", { name: "30 days" }).click();
		await page.getByRole("link", { name: "Bots" }).click();
		await waitLoaded("bot-performance");
		const botId = await page.getByLabel("Bot", { exact: true }).inputValue();
		expect(botId).not.toBe("");
		expect(new URL(page.url()).hash).toMatch(/^#\/bots/);

		const performance = await rest<{ conversations: { current: number }; tokens: { current: number } }>(
			BotPerformance.id,
			{ botId, periodDays: 30 },
		);
		const stat = (panel: string, label: string) =>
			page
				.locator(`[data-testid="${panel}"] .stat`)
				.filter({ has: page.locator(".stat-label", { hasText: new RegExp(`^${label}$`) }) })
				.locator(".stat-value")
				.textContent();
		expect(await stat("bot-performance", "Conversations")).toBe(en.format(performance.conversations.current));
		expect(await stat("bot-performance", "Tokens")).toBe(en.format(performance.tokens.current));
		// Conversations and messages, tokens: three lines over the period; ratings as up/down bars.
		expect(await page.locator('[data-testid="bot-performance"] polyline.series').count()).toBe(3);
		expect(await page.locator('[data-testid="bot-performance"] rect.fill').count()).toBeGreaterThan(0);

		await waitLoaded("bot-quality");
		const quality = await rest<{ abandonmentRate: number; conversationDepth: Record<string, number> }>(
			BotConversationQuality.id,
			{ botId, periodDays: 30 },
		);
		expect(await stat("bot-quality", "Abandonment rate")).toBe(`${en.format(quality.abandonmentRate)}%`);
		const bars = await page.locator('[data-testid="bot-quality"] .bar-value').allTextContents();
		const depth = quality.conversationDepth;
		expect(bars).toEqual([depth.singleTurn, depth.short, depth.medium, depth.long].map((n) => en.format(n ?? 0)));

		await waitLoaded("bot-negative-feedback");
		const feedback = await rest<{ items: ReadonlyArray<unknown> }>(BotNegativeFeedback.id, {
			botId,
			periodDays: 30,
			limit: 20,
		});
		expect(await page.locator('[data-testid="bot-negative-feedback"] tbody tr').count()).toBe(feedback.items.length);
		await waitLoaded("bot-alerts");

		await page.screenshot({ path: path.join(resultsDir, "bot.png"), fullPage: true });

		// Another bot from the picker gets its own page.
		const options = await page
			.locator('select[aria-label="Bot"] option:not([disabled])')
			.evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
		const other = options.find((id) => id !== botId);
		expect(other).toBeDefined();
		await page.getByLabel("Bot", { exact: true }).selectOption(other ?? "");
		await expect.poll(() => new URL(page.url()).hash).toBe(`#/bots/${encodeURIComponent(other ?? "")}`);
		await waitLoaded("bot-performance");
		const otherPerformance = await rest<{ conversations: { current: number } }>(BotPerformance.id, {
			botId: other,
			periodDays: 30,
		});
		expect(await stat("bot-performance", "Conversations")).toBe(en.format(otherPerformance.conversations.current));
		expect(consoleErrors).toEqual([]);
	});

	it("downloads a chart's and a list's numbers as the API's CSV file for the same report and input", async () => {
		/** The file a panel's CSV button saves: its suggested name and its text. */
		const downloadFrom = async (testId: string) => {
			await waitLoaded(testId);
			const [download] = await Promise.all([
				page.waitForEvent("download", { timeout: 30_000 }),
				page.locator(`[data-testid="${testId}"] .download button`).click(),
			]);
			return { name: download.suggestedFilename(), text: await readFile(await download.path(), "utf8") };
		};

		await page.goto(`${baseUrl}/`);
		await page.getByRole("button", { name: "30 days" }).click();
		const messages = await downloadFrom("trend-messages");
		expect(messages.name).toBe("total-messages.csv");
		expect(messages.text).toBe(await restCsv(TotalMessages.id, { periodDays: 30 }));
		expect(messages.text.split("\r\n")).toHaveLength(32);

		await page.getByRole("link", { name: "Bots" }).click();
		await waitLoaded("bot-negative-feedback");
		const botId = await page.getByLabel("Bot", { exact: true }).inputValue();
		const feedback = await downloadFrom("bot-negative-feedback");
		expect(feedback.name).toBe("bot-negative-feedback.csv");
		expect(feedback.text).toBe(await restCsv(BotNegativeFeedback.id, { botId, periodDays: 30, limit: 20 }));
		expect(feedback.text.startsWith("id,value,reason,")).toBe(true);
		expect(consoleErrors).toEqual([]);
	});

	it("shows a failing report's error in its own card while the others render, and retries it", async () => {
		// A real failure envelope from the server (an out-of-range input), swapped in for the Alerts report only.
		const failed = await fetch(`${baseUrl}/trpc/reports.alerts?batch=1`, {
			method: "POST",
			headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
			body: JSON.stringify({ 0: { periodDays: 9_999 } }),
		});
		const [failure] = (await failed.json()) as Array<unknown>;
		expect(failure).toMatchObject({ error: { data: { wireCode: "BAD_REQUEST" } } });

		await page.route("**/trpc/**", async (route) => {
			const procedures = decodeURIComponent(new URL(route.request().url()).pathname.replace(/^\/trpc\//, "")).split(
				",",
			);
			// The dashboard's live report is a stream that never ends: it passes untouched.
			if (procedures.includes("reports.watch")) return route.continue();
			const response = await route.fetch();
			const index = procedures.indexOf("reports.alerts");
			if (index === -1) return route.fulfill({ response });
			const body = (await response.json()) as Array<unknown>;
			body[index] = failure;
			return route.fulfill({ response, json: body });
		});
		// A fresh load of the overview (going to `#/` alone would keep the page and its settled calls).
		await page.goto(`${baseUrl}/#/`);
		await page.reload();
		const alertCard = page.locator('[data-testid="alerts"][data-state="error"]');
		await alertCard.waitFor({ timeout: 30_000 });
		expect(await alertCard.getByRole("alert").textContent()).toContain("BAD_REQUEST");
		await cardValue("metric-total-conversations");
		await waitLoaded("trend-messages");
		await waitLoaded("top-bots");

		await page.unroute("**/trpc/**");
		await alertCard.getByRole("button", { name: "Try again" }).click();
		await waitLoaded("alerts");
		expect(consoleErrors).toEqual([]);
		expect(serverErrors).toEqual([]);
	});

	it("fits a phone's screen without sideways scrolling", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await cardValue("metric-total-conversations");
		await waitLoaded("trend-ratings");
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(overflow).toBeLessThanOrEqual(0);
		await page.screenshot({ path: path.join(resultsDir, "dashboard-phone.png"), fullPage: true });
		await page.setViewportSize({ width: 1360, height: 900 });
	});

	it("keeps view, period, timezone and bot in the URL, and a fresh tab of that URL shows the same", async () => {
		await page.getByRole("link", { name: "Bots" }).click();
		await waitLoaded("bot-performance");
		const botId = await page.getByLabel("Bot", { exact: true }).inputValue();
		await page.getByRole("button", { name: "7 days" }).click();
		await expect
			.poll(() => new URL(page.url()).hash)
			.toBe(`#/bots/${encodeURIComponent(botId)}?days=7&tz=${encodeURIComponent(timezone)}`);

		// A link someone sent: another zone than this browser's last choice, read from the URL alone.
		const zone = "Asia/Kolkata";
		const fresh = await context.newPage();
		await fresh.goto(`${baseUrl}/#/bots/${encodeURIComponent(botId)}?days=7&tz=${encodeURIComponent(zone)}`);
		await fresh.locator('[data-testid="bot-performance"][data-state="ok"]').waitFor({ timeout: 30_000 });
		expect(await fresh.getByLabel("Bot", { exact: true }).inputValue()).toBe(botId);
		expect(await fresh.getByTestId("period-label").textContent()).toBe("Last 7 days");
		expect(await fresh.getByLabel("Timezone", { exact: true }).inputValue()).toBe(zone);
		const response = await fetch(`${baseUrl}/api/v1/platform/report/${BotPerformance.id}/generate`, {
			method: "POST",
			headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-timezone": zone },
			body: JSON.stringify({ botId, periodDays: 7 }),
		});
		const performance = (await response.json()) as { conversations: { current: number } };
		const conversations = await fresh
			.locator('[data-testid="bot-performance"] .stat')
			.filter({ has: fresh.locator(".stat-label", { hasText: /^Conversations$/ }) })
			.locator(".stat-value")
			.textContent();
		expect(conversations).toBe(en.format(performance.conversations.current));
		await fresh.close();
		await page.getByRole("button", { name: "30 days" }).click();
	});

	it("refuses a wrong token with a message instead of a broken dashboard", async () => {
		await page.getByRole("button", { name: "Change token" }).click();
		const tokenField = page.getByLabel("API token", { exact: true });
		await tokenField.fill("not-a-real-token");
		await page.getByRole("button", { name: "Open dashboard" }).click();
		await expect
			.poll(() => page.getByRole("alert").textContent(), { timeout: 15_000 })
			.toBe("This token was not accepted. Check it and try again.");
		expect(await page.evaluate(() => window.localStorage.getItem("convolens.token"))).toBeNull();
	});
});
