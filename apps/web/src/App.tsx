import { type ConvolensClient, ConvolensError, createClient } from "@convolens/client";
import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { AlertList } from "./alerts.tsx";
import { fetchDemoToken, makeReports, ReportsContext, reportKey, useLiveReports, useReport } from "./api.ts";
import { BotDetails, BotPicker, botsOf } from "./bots.tsx";
import { ConversationList, type Drill } from "./conversations.tsx";
import { hashOf, type Location, type Page, parseLocation } from "./location.ts";
import { MetricCard, TokensCard, TrendChart } from "./overview.tsx";
import { Panel } from "./panel.tsx";
import {
	browserTimezone,
	currentRange,
	describePeriod,
	type Period,
	periodInput,
	presetDays,
	previousRange,
	rangeProblem,
	timezones,
} from "./period.ts";

const tokenKey = "convolens.token";
const timezoneKey = "convolens.timezone";

const stored = (key: string): string | undefined => {
	try {
		return window.localStorage.getItem(key) ?? undefined;
	} catch {
		return undefined;
	}
};

const store = (key: string, value: string | undefined) => {
	try {
		if (value === undefined) window.localStorage.removeItem(key);
		else window.localStorage.setItem(key, value);
	} catch {
		// Private browsing without storage: the choice lasts for this page only.
	}
};

export function App() {
	const [token, setToken] = useState<string | undefined>(() => stored(tokenKey));
	// Demo mode (the server offers its demo token to a browser on its own machine): a first visit opens the
	// dashboard at once. After "Change token" the form stays, with the demo token filled in, for another one.
	const [tryDemo, setTryDemo] = useState(token === undefined);
	const signIn = useCallback((value: string) => {
		store(tokenKey, value);
		setToken(value);
	}, []);
	const signOut = useCallback(() => {
		store(tokenKey, undefined);
		setTryDemo(false);
		setToken(undefined);
	}, []);
	useEffect(() => {
		if (!tryDemo) return;
		let current = true;
		void (async () => {
			const demo = await fetchDemoToken();
			// The offered token is checked like a typed one: a stale offer shows the form, not a broken dashboard.
			const accepted =
				demo !== undefined &&
				(await createClient({ url: window.location.origin, token: demo })
					.totalContacts()
					.then(() => true)
					.catch(() => false));
			if (!current) return;
			if (accepted) signIn(demo);
			setTryDemo(false);
		})();
		return () => {
			current = false;
		};
	}, [tryDemo, signIn]);
	if (token !== undefined) return <Dashboard token={token} onChangeToken={signOut} />;
	if (tryDemo) {
		return (
			<main className="sign-in" aria-busy="true">
				<p className="muted">Connecting…</p>
			</main>
		);
	}
	return <TokenForm onToken={signIn} />;
}

/** Asks for an API token; the demo server offers its demo token to a browser on the same machine. */
function TokenForm({ onToken }: { readonly onToken: (token: string) => void }) {
	const [value, setValue] = useState("");
	const [demo, setDemo] = useState(false);
	const [problem, setProblem] = useState<string | undefined>(undefined);
	const [checking, setChecking] = useState(false);

	useEffect(() => {
		let current = true;
		void fetchDemoToken().then((token) => {
			if (!current || token === undefined) return;
			setDemo(true);
			setValue((typed) => (typed === "" ? token : typed));
		});
		return () => {
			current = false;
		};
	}, []);

	const submit = async (event: FormEvent<HTMLFormElement>) => {
		event.preventDefault();
		const token = value.trim();
		if (token === "") {
			setProblem("Enter an API token.");
			return;
		}
		setChecking(true);
		setProblem(undefined);
		try {
			const client: ConvolensClient = createClient({ url: window.location.origin, token });
			await client.totalContacts();
			onToken(token);
		} catch (error) {
			setProblem(
				ConvolensError.is(error, "NOT_AUTHENTICATED", "NOT_AUTHORIZED")
					? "This token was not accepted. Check it and try again."
					: `The server could not be reached: ${error instanceof Error ? error.message : String(error)}`,
			);
		} finally {
			setChecking(false);
		}
	};

	return (
		<main className="sign-in">
			<form className="sign-in-card" onSubmit={submit} aria-label="Connect">
				<h1>
					<Logo /> Convolens
				</h1>
				<p className="muted">Conversation analytics for your bots. Connect with an API token that can read reports.</p>
				<label className="field">
					<span>API token</span>
					<input
						name="token"
						type="password"
						autoComplete="off"
						spellCheck={false}
						value={value}
						onChange={(event) => setValue(event.target.value)}
						placeholder="cvl_…"
					/>
				</label>
				{demo && <p className="hint">Demo mode: the demo account's token is filled in for you.</p>}
				{problem !== undefined && (
					<p className="form-error" role="alert">
						{problem}
					</p>
				)}
				<button type="submit" className="primary" disabled={checking}>
					{checking ? "Checking…" : "Open dashboard"}
				</button>
				<p className="muted small">The token stays in this browser (local storage) and is sent only to this server.</p>
			</form>
		</main>
	);
}

function Logo() {
	return (
		<svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
			<rect width="32" height="32" rx="8" />
			<path d="M7 22l6-7 5 4 7-9" />
		</svg>
	);
}

/** The page the hash names, kept in step with it (links and the bot picker change the hash). */
const useView = (onLocation: (location: Location) => void): Page => {
	const [view, setView] = useState(() => parseLocation(window.location.hash).view);
	useEffect(() => {
		const onChange = () => {
			const location = parseLocation(window.location.hash);
			setView(location.view);
			onLocation(location);
		};
		window.addEventListener("hashchange", onChange);
		return () => window.removeEventListener("hashchange", onChange);
	}, [onLocation]);
	return view;
};

const botHash = (botId: string) => `#/bots/${encodeURIComponent(botId)}`;

function Dashboard({ token, onChangeToken }: { readonly token: string; readonly onChangeToken: () => void }) {
	// A shared link's period and timezone win over this browser's last choice (see location.ts).
	const [timezone, setTimezone] = useState(
		() => parseLocation(window.location.hash).timezone ?? stored(timezoneKey) ?? browserTimezone(),
	);
	const [period, setPeriod] = useState<Period>(
		() => parseLocation(window.location.hash).period ?? { kind: "last", days: 30 },
	);
	const [generation, setGeneration] = useState(0);
	const followLocation = useCallback((location: Location) => {
		if (location.period !== undefined) setPeriod(location.period);
		if (location.timezone !== undefined) setTimezone(location.timezone);
	}, []);
	const view = useView(followLocation);
	// The URL always says what is on screen, without adding history entries for period or zone changes.
	useEffect(() => {
		const hash = hashOf(view, period, timezone);
		if (window.location.hash !== hash) window.history.replaceState(null, "", hash);
	}, [view, period, timezone]);

	// A new generation is a refresh: a fresh client and cache.
	const base = useMemo(() => makeReports(token, timezone), [token, timezone, generation]);
	const { reports, live } = useLiveReports(base);

	const chooseTimezone = (value: string) => {
		store(timezoneKey, value);
		setTimezone(value);
	};

	return (
		<ReportsContext.Provider value={reports}>
			<div className="app">
				<header className="topbar">
					<div className="brand">
						<Logo /> <span>Convolens</span>
					</div>
					<nav className="tabs" aria-label="Pages">
						<a href="#/" aria-current={view.page === "overview" ? "page" : undefined}>
							Overview
						</a>
						<a href="#/bots" aria-current={view.page === "bots" ? "page" : undefined}>
							Bots
						</a>
					</nav>
					<div className="topbar-actions">
						<span
							className={`live-state live-${live}`}
							data-testid="live-state"
							title="Updates by itself when data arrives"
						>
							{live === "live" ? "Live" : live === "offline" ? "Offline" : "Connecting"}
						</span>
						<button type="button" className="ghost" onClick={() => setGeneration((n) => n + 1)}>
							Refresh
						</button>
						<button type="button" className="ghost" onClick={onChangeToken}>
							Change token
						</button>
					</div>
				</header>
				<Controls period={period} onPeriod={setPeriod} timezone={timezone} onTimezone={chooseTimezone} />
				<main className="content">
					{view.page === "overview" ? (
						<Overview period={period} timezone={timezone} />
					) : (
						<Bots period={period} timezone={timezone} botId={view.botId} />
					)}
				</main>
			</div>
		</ReportsContext.Provider>
	);
}

function Controls({
	period,
	onPeriod,
	timezone,
	onTimezone,
}: {
	readonly period: Period;
	readonly onPeriod: (period: Period) => void;
	readonly timezone: string;
	readonly onTimezone: (timezone: string) => void;
}) {
	const initial = currentRange(period, timezone);
	const [custom, setCustom] = useState(period.kind === "range");
	const [startDate, setStartDate] = useState(initial.startDate);
	const [endDate, setEndDate] = useState(initial.endDate);
	const problem = rangeProblem(startDate, endDate);
	const zones = useMemo(() => timezones(timezone), [timezone]);

	const applyRange = (event: FormEvent<HTMLFormElement>) => {
		event.preventDefault();
		if (problem === undefined) onPeriod({ kind: "range", startDate, endDate });
	};

	return (
		<section className="controls" aria-label="Period and timezone">
			<fieldset className="segmented">
				<legend className="visually-hidden">Period</legend>
				{presetDays.map((days) => (
					<button
						key={days}
						type="button"
						aria-pressed={!custom && period.kind === "last" && period.days === days}
						onClick={() => {
							setCustom(false);
							onPeriod({ kind: "last", days });
						}}
					>
						{days} days
					</button>
				))}
				<button
					type="button"
					aria-pressed={custom}
					onClick={() => {
						const range = currentRange(period, timezone);
						setStartDate(range.startDate);
						setEndDate(range.endDate);
						setCustom(true);
					}}
				>
					Custom
				</button>
			</fieldset>
			{custom && (
				<form className="range" onSubmit={applyRange}>
					<label className="field inline">
						<span>From</span>
						<input type="date" value={startDate} onChange={(event) => setStartDate(event.target.value)} />
					</label>
					<label className="field inline">
						<span>To</span>
						<input type="date" value={endDate} onChange={(event) => setEndDate(event.target.value)} />
					</label>
					<button type="submit" className="primary small" disabled={problem !== undefined}>
						Apply
					</button>
					{problem !== undefined && <span className="form-error">{problem}</span>}
				</form>
			)}
			<label className="field inline timezone">
				<span>Timezone</span>
				<select value={timezone} onChange={(event) => onTimezone(event.target.value)} aria-label="Timezone">
					{zones.map((zone) => (
						<option key={zone} value={zone}>
							{zone}
						</option>
					))}
				</select>
			</label>
			<p className="period-label" data-testid="period-label">
				{describePeriod(period)}
			</p>
		</section>
	);
}

const useAnalytics = (period: Period) => {
	const input = periodInput(period);
	return useReport(reportKey("comprehensiveAnalytics", input), (client) => client.comprehensiveAnalytics({ ...input }));
};

function Overview({ period, timezone }: { readonly period: Period; readonly timezone: string }) {
	const input = periodInput(period);
	const previous = previousRange(period, timezone);
	const analytics = useAnalytics(period);
	const alerts = useReport(reportKey("alerts", input), (client) => client.alerts({ ...input }));
	// The chart point a person clicked: its conversations are listed under the trends.
	const [drill, setDrill] = useState<Drill | undefined>(undefined);
	return (
		<>
			<section className="metrics" aria-label="Overview">
				<MetricCard title="Total Conversations" method="totalConversations" input={input} />
				<MetricCard title="Messages" method="totalMessages" input={input} />
				<MetricCard title="Active Contacts" method="activeContacts" input={input} />
				<MetricCard title="Ratings" method="totalRatings" input={input} />
				<MetricCard title="Thumbs Up" method="thumbsUp" input={input} />
				<MetricCard title="Thumbs Down" method="thumbsDown" input={input} higherIsBetter={false} />
				<MetricCard title="Agent Actions" method="activityMessages" input={input} />
				<TokensCard analytics={analytics} />
			</section>
			<section className="trends" aria-label="Trends">
				<TrendChart
					title="Conversations"
					method="totalConversations"
					input={input}
					previous={previous}
					onDrill={setDrill}
				/>
				<TrendChart title="Messages" method="totalMessages" input={input} previous={previous} onDrill={setDrill} />
				<TrendChart title="Ratings" method="totalRatings" input={input} previous={previous} onDrill={setDrill} />
				{drill !== undefined && (
					<ConversationList drill={drill} timezone={timezone} onClose={() => setDrill(undefined)} />
				)}
			</section>
			<section className="split">
				<Panel title="Alerts" result={alerts} testId="alerts" csv={{ method: "alerts", input }}>
					{(data) => <AlertList output={data} />}
				</Panel>
				<Panel
					title="Top bots by tokens"
					result={analytics}
					testId="top-bots"
					csv={{ method: "comprehensiveAnalytics", input }}
				>
					{(data) => {
						const bots = botsOf(data).slice(0, 8);
						return bots.length === 0 ? (
							<p className="empty">No bot had activity in this period.</p>
						) : (
							<ol className="top-bots">
								{bots.map((bot) => (
									<li key={bot.id}>
										<a href={botHash(bot.id)}>{bot.name}</a>
										<span className="muted small">{bot.description}</span>
									</li>
								))}
							</ol>
						);
					}}
				</Panel>
			</section>
		</>
	);
}

function Bots({
	period,
	timezone,
	botId,
}: {
	readonly period: Period;
	readonly timezone: string;
	readonly botId: string | undefined;
}) {
	const analytics = useAnalytics(period);
	const firstBot = analytics.state === "ok" ? botsOf(analytics.data)[0]?.id : undefined;
	const selected = botId ?? firstBot;
	// The bot shown by default goes into the URL too, so a copied link shows the same bot tomorrow.
	useEffect(() => {
		if (botId === undefined && firstBot !== undefined) window.location.replace(botHash(firstBot));
	}, [botId, firstBot]);
	return (
		<>
			<section className="bot-header">
				<h2>Bots</h2>
				<BotPicker analytics={analytics} botId={selected} onChange={(id) => window.location.assign(botHash(id))} />
				{analytics.state === "ok" && selected !== undefined && (
					<p className="muted small">{botsOf(analytics.data).find((b) => b.id === selected)?.description}</p>
				)}
			</section>
			{selected !== undefined && <BotDetails botId={selected} input={periodInput(period)} timezone={timezone} />}
		</>
	);
}
