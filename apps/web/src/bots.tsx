import type {
	BotAlertsOutput,
	BotConversationQualityOutput,
	BotNegativeFeedbackOutput,
	BotPerformanceOutput,
	ComprehensiveAnalyticsOutput,
} from "@convolens/client";
import { useState } from "react";
import { AlertList } from "./alerts.tsx";
import { type Loadable, reportKey, useReport } from "./api.ts";
import { BarChart, LineChart, SplitBars } from "./charts.tsx";
import { ConversationList, type Drill } from "./conversations.tsx";
import { formatDateTime, formatNumber, formatSigned } from "./format.ts";
import type { PeriodInput } from "./overview.tsx";
import { Panel, Skeleton } from "./panel.tsx";

export interface BotChoice {
	readonly id: string;
	readonly name: string;
	readonly description: string;
}

/**
 * The bots Comprehensive Analytics ranks by tokens in the period (its Total Tokens entry lists them). Their line
 * is built from the item's numeric tags, formatted like every other number on screen (the item's own description
 * carries the plain digits); the description stays the fallback for an item without them.
 */
export const botsOf = (analytics: ComprehensiveAnalyticsOutput): ReadonlyArray<BotChoice> =>
	(analytics.data.find((e) => e.details.metric === "totalTokens")?.details.list ?? [])
		.filter((item) => item.tags.some((tag) => tag.name === "kind" && tag.value === "bot"))
		.map((item) => {
			const count = (name: string) => {
				const value = item.tags.find((tag) => tag.name === name)?.value;
				return typeof value === "number" ? value : undefined;
			};
			const [conversations, messages, tokens] = [count("conversations"), count("messages"), count("tokens")];
			const description =
				conversations === undefined || messages === undefined || tokens === undefined
					? item.description
					: `${formatNumber(tokens)} tokens · ${formatNumber(conversations)} conversations · ${formatNumber(messages)} messages`;
			return { id: item.id, name: item.name, description };
		});

export function BotPicker({
	analytics,
	botId,
	onChange,
}: {
	readonly analytics: Loadable<ComprehensiveAnalyticsOutput> & { readonly retry: () => void };
	readonly botId: string | undefined;
	readonly onChange: (botId: string) => void;
}) {
	if (analytics.state === "loading") return <Skeleton kind="stat" />;
	if (analytics.state === "error") {
		return (
			<p className="panel-error" role="alert">
				The bot list did not load: {analytics.message}{" "}
				<button type="button" className="link-button" onClick={analytics.retry}>
					Try again
				</button>
			</p>
		);
	}
	const bots = botsOf(analytics.data);
	if (bots.length === 0) return <p className="empty">No bot had activity in this period.</p>;
	const known = bots.some((b) => b.id === botId);
	return (
		<label className="field bot-picker">
			<span>Bot</span>
			<select value={known ? botId : ""} onChange={(event) => onChange(event.target.value)} aria-label="Bot">
				{!known && (
					<option value="" disabled>
						{botId === undefined ? "Choose a bot…" : `${botId} (no activity in this period)`}
					</option>
				)}
				{bots.map((bot) => (
					<option key={bot.id} value={bot.id}>
						{bot.name}
					</option>
				))}
			</select>
		</label>
	);
}

const sentimentLabel: Record<BotPerformanceOutput["ratings"]["sentimentSignal"], string> = {
	positive: "Positive",
	negative: "Negative",
	neutral: "Neutral",
	unknown: "No ratings",
};

function Stat({ label, value, change }: { readonly label: string; readonly value: string; readonly change?: number }) {
	return (
		<div className="stat">
			<span className="stat-label">{label}</span>
			<span className="stat-value">{value}</span>
			{change !== undefined && (
				<span className={`stat-change ${change > 0 ? "up" : change < 0 ? "down" : "flat"}`}>
					{formatSigned(change)} vs previous
				</span>
			)}
		</div>
	);
}

/** Everything the dashboard knows about one bot in the period. */
export function BotDetails({
	botId,
	input,
	timezone,
}: {
	readonly botId: string;
	readonly input: PeriodInput;
	readonly timezone: string;
}) {
	const botInput = { ...input, botId };
	const performance = useReport(reportKey("botPerformance", botInput), (client) =>
		client.botPerformance({ ...botInput }),
	);
	const quality = useReport(reportKey("botConversationQuality", botInput), (client) =>
		client.botConversationQuality({ ...botInput }),
	);
	const alerts = useReport(reportKey("botAlerts", botInput), (client) => client.botAlerts({ ...botInput }));
	// The chart point a person clicked: that bucket's conversations of this bot are listed under the charts.
	const [drill, setDrill] = useState<Drill | undefined>(undefined);
	const feedbackInput = { ...botInput, limit: 20 };
	const feedback = useReport(reportKey("botNegativeFeedback", feedbackInput), (client) =>
		client.botNegativeFeedback({ ...feedbackInput }),
	);

	return (
		<div className="bot-grid">
			<Panel
				title="Bot performance"
				csv={{ method: "botPerformance", input: botInput }}
				result={performance}
				testId="bot-performance"
				className="span-2"
			>
				{(data) => <PerformanceBody data={data} onDrill={(bucket) => setDrill({ ...bucket, botId })} />}
			</Panel>
			{drill !== undefined && drill.botId === botId && (
				<ConversationList drill={drill} timezone={timezone} onClose={() => setDrill(undefined)} />
			)}
			<Panel
				title="Conversation quality"
				csv={{ method: "botConversationQuality", input: botInput }}
				result={quality}
				testId="bot-quality"
			>
				{(data) => <QualityBody data={data} />}
			</Panel>
			<Panel title="Bot alerts" csv={{ method: "botAlerts", input: botInput }} result={alerts} testId="bot-alerts">
				{(data: BotAlertsOutput) => <AlertList output={data} />}
			</Panel>
			<Panel
				title="Negative feedback"
				csv={{ method: "botNegativeFeedback", input: feedbackInput }}
				result={feedback}
				testId="bot-negative-feedback"
				className="span-2"
			>
				{(data) => <FeedbackBody data={data} timezone={timezone} />}
			</Panel>
		</div>
	);
}

function PerformanceBody({
	data,
	onDrill,
}: {
	readonly data: BotPerformanceOutput;
	readonly onDrill: (drill: Drill) => void;
}) {
	const labels = data.tokens.breakdown.map((b) => b.date);
	// Every breakdown of the report has the same buckets: the clicked index names one.
	const select = (title: string) => (index: number) => {
		const bucket = data.conversations.breakdown[index];
		if (bucket !== undefined) onDrill({ title, date: bucket.date, start: bucket.start, end: bucket.end });
	};
	return (
		<>
			<div className="stats">
				<Stat
					label="Conversations"
					value={formatNumber(data.conversations.current)}
					change={data.conversations.change}
				/>
				<Stat label="Messages" value={formatNumber(data.messages.current)} change={data.messages.change} />
				<Stat label="Tokens" value={formatNumber(data.tokens.current)} change={data.tokens.change} />
				<Stat
					label="Ratings"
					value={`${formatNumber(data.ratings.thumbsUp)} up · ${formatNumber(data.ratings.thumbsDown)} down`}
				/>
				<Stat label="Sentiment" value={sentimentLabel[data.ratings.sentimentSignal]} />
			</div>
			<div className="chart-row">
				<div>
					<h4>Conversations and messages</h4>
					<LineChart
						title="Conversations and messages per day"
						labels={labels}
						onSelect={select("Conversations and messages")}
						series={[
							{ name: "Messages", values: data.messages.breakdown.map((b) => b.total), tone: "muted" },
							{ name: "Conversations", values: data.conversations.breakdown.map((b) => b.total), tone: "primary" },
						]}
					/>
				</div>
				<div>
					<h4>Tokens</h4>
					<LineChart
						title="Tokens per day"
						labels={labels}
						onSelect={select("Tokens")}
						series={[{ name: "Tokens", values: data.tokens.breakdown.map((b) => b.total), tone: "primary" }]}
					/>
				</div>
				<div>
					<h4>Ratings</h4>
					<SplitBars
						title="Thumbs up and down per day"
						buckets={data.ratings.breakdown.map((b) => ({ date: b.date, up: b.thumbsUp, down: b.thumbsDown }))}
					/>
				</div>
			</div>
		</>
	);
}

function QualityBody({ data }: { readonly data: BotConversationQualityOutput }) {
	const depth = data.conversationDepth;
	return (
		<>
			<div className="stats">
				<Stat label="Abandonment rate" value={`${formatNumber(data.abandonmentRate)}%`} />
				<Stat label="Conversations" value={formatNumber(data.totalConversations)} />
				<Stat label="Tokens / conversation" value={formatNumber(data.avgTokensPerConversation)} />
			</div>
			<h4>Conversation depth (user messages)</h4>
			<BarChart
				title="Conversations by number of user messages"
				bars={[
					{ label: "0–1", value: depth.singleTurn, hint: "Single turn" },
					{ label: "2–3", value: depth.short, hint: "Short" },
					{ label: "4–10", value: depth.medium, hint: "Medium" },
					{ label: "11+", value: depth.long, hint: "Long" },
				]}
			/>
			<p className="muted small">
				Per conversation: {formatNumber(data.avgMessagesPerConversation.user)} user,{" "}
				{formatNumber(data.avgMessagesPerConversation.bot)} bot,{" "}
				{formatNumber(data.avgMessagesPerConversation.activity)} actions.
			</p>
			{data.topActions.length > 0 && (
				<>
					<h4>Top actions</h4>
					<ol className="top-actions">
						{data.topActions.map((action) => (
							<li key={`${action.type}:${action.name}`}>
								<span>
									<code>{action.type}</code> {action.name}
								</span>
								<span className="muted">{formatNumber(action.count)}</span>
							</li>
						))}
					</ol>
				</>
			)}
		</>
	);
}

function FeedbackBody({ data, timezone }: { readonly data: BotNegativeFeedbackOutput; readonly timezone: string }) {
	return (
		<>
			<p className="muted small">
				{formatNumber(data.thumbsDown)} thumbs down and {formatNumber(data.thumbsUp)} thumbs up in the period
				{data.items.length === 0
					? "."
					: data.items.length < data.thumbsDown
						? `; the newest ${data.items.length} below.`
						: "; all of them below."}
			</p>
			{data.items.length === 0 ? (
				<p className="empty good">No negative feedback in this period.</p>
			) : (
				<div className="table-scroll">
					<table className="feedback-table">
						<thead>
							<tr>
								<th scope="col">When</th>
								<th scope="col">Rating</th>
								<th scope="col">Reason</th>
								<th scope="col">Contact</th>
								<th scope="col">Conversation</th>
							</tr>
						</thead>
						<tbody>
							{data.items.map((item) => (
								<tr key={item.id}>
									<td className="nowrap">{formatDateTime(item.createdAt, timezone)}</td>
									<td className="bad">{item.value}</td>
									<td>{item.reason ?? <span className="muted">No reason given</span>}</td>
									<td>{item.contactName ?? <span className="muted">Anonymous</span>}</td>
									<td>
										<code>{item.conversationId ?? "—"}</code>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</>
	);
}
