/**
 * A consumer of the built client, run by `built.test.ts` as a plain Node process: `@convolens/client` resolves to
 * the package's `dist/`, the files its tarball ships. Prints what it got as one line of JSON.
 */
import { BotStats, ConvolensError, createClient, ReportIds, TotalRatings } from "@convolens/client";

const client = createClient({
	url: process.env.CONVOLENS_URL ?? "http://localhost:3000",
	token: process.env.CONVOLENS_TOKEN ?? "",
	transport: process.env.CONVOLENS_TRANSPORT === "rest" ? "rest" : "trpc",
});

const results = await client.generate({
	[TotalRatings.id]: { periodDays: 7 },
	[BotStats.id]: { botId: "bot_not_in_this_account" },
});
const ratings = results[TotalRatings.id];
const stats = results[ReportIds.BotStats];

let thrownCode: string | null = null;
try {
	await client.botStats({ botId: "bot_not_in_this_account" });
} catch (error) {
	if (error instanceof ConvolensError) thrownCode = error.code;
}

console.log(
	JSON.stringify({
		ratings: ratings.ok ? ratings.data : null,
		statsCode: stats.ok ? null : stats.error.code,
		thrownCode,
	}),
);
