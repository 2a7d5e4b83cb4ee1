import type { ComprehensiveAnalyticsOutput, ConvolensClient } from "@convolens/client";
import { type Loadable, reportKey, useReport } from "./api.ts";
import { LineChart, Sparkline } from "./charts.tsx";
import type { Drill } from "./conversations.tsx";
import { formatNumber, formatPercent, formatSigned } from "./format.ts";
import { Panel } from "./panel.tsx";
import type { DateRange } from "./period.ts";

/** The shape every standard period report returns (contract §4). */
export interface StandardOutput {
	readonly value: number;
	readonly change: number;
	readonly previous: number;
	readonly changePercent: number | null;
	readonly period: string;
	readonly breakdown: ReadonlyArray<{
		readonly date: string;
		readonly start: string;
		readonly end: string;
		readonly total: number;
	}>;
}

export type StandardMethod =
	| "totalConversations"
	| "totalMessages"
	| "activeContacts"
	| "totalRatings"
	| "thumbsUp"
	| "thumbsDown"
	| "userMessages"
	| "botMessages"
	| "activityMessages";

export type PeriodInput = { readonly periodDays: number } | DateRange;

const runStandard = (method: StandardMethod, input: PeriodInput) => (client: ConvolensClient) =>
	client[method]({ ...input }) as Promise<StandardOutput>;

const useStandard = (method: StandardMethod, input: PeriodInput) =>
	useReport(reportKey(method, input), runStandard(method, input));

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** Value, change against the previous period, and the period's shape. */
function MetricBody({
	title,
	value,
	change,
	changePercent,
	series,
	higherIsBetter,
}: {
	readonly title: string;
	readonly value: number;
	readonly change: number;
	readonly changePercent: number | null;
	readonly series: ReadonlyArray<number>;
	readonly higherIsBetter: boolean;
}) {
	const direction = change === 0 ? "flat" : change > 0 === higherIsBetter ? "good" : "bad";
	return (
		<>
			<p className="metric-value" data-value={value}>
				{formatNumber(value)}
			</p>
			<p className={`metric-change ${direction}`}>
				<span aria-hidden="true">{change > 0 ? "▲" : change < 0 ? "▼" : "■"}</span> {formatSigned(change)}
				{changePercent !== null && <span className="metric-percent"> ({formatPercent(changePercent)})</span>}
				<span className="metric-vs"> vs previous period</span>
			</p>
			<div className={`metric-spark ${direction}`}>
				<Sparkline values={series} label={`${title} per day`} />
			</div>
		</>
	);
}

export function MetricCard({
	title,
	method,
	input,
	higherIsBetter = true,
}: {
	readonly title: string;
	readonly method: StandardMethod;
	readonly input: PeriodInput;
	readonly higherIsBetter?: boolean;
}) {
	const result = useStandard(method, input);
	return (
		<Panel
			title={title}
			result={result}
			testId={`metric-${slug(title)}`}
			className="metric"
			skeleton="stat"
			csv={{ method, input }}
		>
			{(data) => (
				<MetricBody
					title={title}
					value={data.value}
					change={data.change}
					changePercent={data.changePercent}
					series={data.breakdown.map((b) => b.total)}
					higherIsBetter={higherIsBetter}
				/>
			)}
		</Panel>
	);
}

/** Tokens have no report of their own: they are the 14th entry of Comprehensive Analytics. */
export function TokensCard({
	analytics,
}: {
	readonly analytics: Loadable<ComprehensiveAnalyticsOutput> & { readonly retry: () => void };
}) {
	return (
		<Panel title="Tokens" result={analytics} testId="metric-tokens" className="metric" skeleton="stat">
			{(data) => {
				const entry = data.data.find((e) => e.details.metric === "totalTokens" || e.title === "Total Tokens");
				if (entry === undefined) return <p className="empty">No token data in this report.</p>;
				const change = entry.change ?? 0;
				const previous = entry.value - change;
				return (
					<MetricBody
						title="Tokens"
						value={entry.value}
						change={change}
						changePercent={previous === 0 ? null : Math.round((change / previous) * 10_000) / 100}
						series={entry.details.chart.data.map((p) => p.total)}
						higherIsBetter
					/>
				);
			}}
		</Panel>
	);
}

/** Both calls of a comparison as one state: loading until both arrive, the first failure otherwise. */
const both = <A, B>(
	a: Loadable<A> & { readonly retry: () => void },
	b: Loadable<B> & { readonly retry: () => void },
): Loadable<{ current: A; previous: B }> & { readonly retry: () => void } => {
	const retry = () => {
		if (a.state === "error") a.retry();
		if (b.state === "error") b.retry();
	};
	if (a.state === "error") return { ...a, retry };
	if (b.state === "error") return { ...b, retry };
	if (a.state === "loading" || b.state === "loading") return { state: "loading", retry };
	return { state: "ok", data: { current: a.data, previous: b.data }, retry };
};

/**
 * A metric over the period with the previous period drawn beneath it, day by day; a click on a day reports that
 * bucket through `onDrill`.
 */
export function TrendChart({
	title,
	method,
	input,
	previous,
	onDrill,
}: {
	readonly title: string;
	readonly method: StandardMethod;
	readonly input: PeriodInput;
	readonly previous: DateRange;
	readonly onDrill?: (drill: Drill) => void;
}) {
	const result = both(useStandard(method, input), useStandard(method, previous));
	return (
		<Panel
			title={title}
			result={result}
			testId={`trend-${slug(title)}`}
			className="trend"
			csv={{ method, input }}
			subtitle={result.state === "ok" ? `${formatNumber(result.data.current.value)} this period` : undefined}
		>
			{({ current, previous: before }) => (
				<LineChart
					title={`${title}: this period against the previous one`}
					labels={current.breakdown.map((b) => b.date)}
					{...(onDrill === undefined
						? {}
						: {
								onSelect: (index: number) => {
									const bucket = current.breakdown[index];
									if (bucket !== undefined) {
										onDrill({ title, date: bucket.date, start: bucket.start, end: bucket.end });
									}
								},
							})}
					series={[
						{ name: "Previous period", values: before.breakdown.map((b) => b.total), tone: "muted", dashed: true },
						{ name: "This period", values: current.breakdown.map((b) => b.total), tone: "primary" },
					]}
				/>
			)}
		</Panel>
	);
}
