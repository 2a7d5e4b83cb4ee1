/**
 * The README's example: run `npm start` at the repository root, then
 *
 *   CONVOLENS_TOKEN=<the printed demo token> node packages/client/examples/demo.ts
 */
import { BotStats, ConvolensError, createClient, ReportIds, TotalRatings } from "@convolens/client";

const client = createClient({
	url: process.env.CONVOLENS_URL ?? "http://localhost:3000",
	token: process.env.CONVOLENS_TOKEN ?? "",
	timezone: "Europe/Berlin",
	// transport: "rest", // the same calls over the /api/v1 REST contract
});

// One report, typed by its method.
const ratings = await client.totalRatings({ periodDays: 7 });
console.log(`Ratings, ${ratings.period}: ${ratings.value} (${ratings.thumbsUp} up, ${ratings.thumbsDown} down)`);
console.log(`Change against the previous 7 days: ${ratings.change} (${ratings.changePercent ?? "n/a"} %)`);

// Several reports in one request. Each result is { ok: true, data } or { ok: false, error: { code, message } }.
const results = await client.generate({
	[TotalRatings.id]: { periodDays: 30, granularity: "week" },
	[BotStats.id]: { botId: "bot_01" },
	[ReportIds.DatasetRecords]: { datasetIds: ["ds_1", "ds_404"] },
});
for (const [id, result] of Object.entries(results)) {
	console.log(id, result.ok ? "ok" : `failed: ${result.error.code} ${result.error.message}`);
}
const stats = results[BotStats.id];
if (stats.ok)
	console.log(`bot_01: ${stats.data.totalConversations} conversations, sentiment ${stats.data.sentimentSignal}`);
const records = results[ReportIds.DatasetRecords];
if (records.ok)
	console.log(`Records: ${records.data.totalRecords}, unknown datasets: ${records.data.notFound.join(", ")}`);

// Failures are ConvolensError, narrowed by code.
try {
	await client.botStats({ botId: "bot_that_does_not_exist" });
} catch (error) {
	if (ConvolensError.is(error, "NOT_FOUND"))
		console.log(`As expected: ${error.code} (${error.status}) ${error.message}`);
	else throw error;
}

// The catalogue, with each report's input and output JSON Schema.
const { items } = await client.list();
console.log(
	`${items.length} reports, e.g. ${items
		.map((item) => item.name)
		.slice(0, 3)
		.join(", ")}`,
);
