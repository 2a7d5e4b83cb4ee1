import { type ConvolensClient, ConvolensError, createClient, TotalMessages } from "@convolens/client";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";

/** A report call as a card sees it. */
export type Loadable<T> =
	| { readonly state: "loading" }
	| { readonly state: "ok"; readonly data: T }
	| { readonly state: "error"; readonly code: string; readonly message: string };

export interface Reports {
	readonly client: ConvolensClient;
	/**
	 * In-flight and settled calls by key, so the card and the chart that need the same report share one call. tRPC's
	 * batching link still merges the calls of one render into a single HTTP request; each keeps its own result.
	 */
	readonly cache: Map<string, Promise<unknown>>;
	/** How many times live updates have renewed the cache (0 for a fresh client). */
	readonly revision?: number;
}

export const ReportsContext = createContext<Reports | undefined>(undefined);

/** A client for the server that served this page, over tRPC. */
export const makeReports = (token: string, timezone: string): Reports => ({
	client: createClient({ url: window.location.origin, token, timezone }),
	cache: new Map(),
});

const failureOf = (error: unknown): { code: string; message: string } =>
	error instanceof ConvolensError
		? { code: error.code, message: error.message }
		: { code: "INTERNAL_SERVER_ERROR", message: error instanceof Error ? error.message : String(error) };

/** A stable cache key for one report call. */
export const reportKey = (method: string, input: unknown): string => `${method} ${JSON.stringify(input)}`;

/**
 * Runs `run` once per `key` (none while `key` is null) and follows its state; `retry` forgets a failed call and
 * runs it again. A result that arrives after the key changed is dropped.
 */
export function useReport<T>(
	key: string | null,
	run: (client: ConvolensClient) => Promise<T>,
): Loadable<T> & { readonly retry: () => void } {
	const reports = useContext(ReportsContext);
	if (reports === undefined) throw new Error("useReport needs a ReportsContext provider");
	const [attempt, setAttempt] = useState(0);
	const [state, setState] = useState<{ key: string | null; value: Loadable<T> }>({
		key: null,
		value: { state: "loading" },
	});

	// `run` is a fresh closure each render: `key` names the call it makes, and `attempt` re-runs it.
	useEffect(() => {
		if (key === null) return;
		let current = true;
		let pending = reports.cache.get(key) as Promise<T> | undefined;
		if (pending === undefined) {
			pending = run(reports.client);
			reports.cache.set(key, pending);
			pending.catch(() => reports.cache.delete(key));
		}
		pending.then(
			(data) => current && setState({ key, value: { state: "ok", data } }),
			(error: unknown) => current && setState({ key, value: { state: "error", ...failureOf(error) } }),
		);
		return () => {
			current = false;
		};
	}, [key, reports, attempt]);

	const retry = useCallback(() => {
		if (key !== null) reports.cache.delete(key);
		setState({ key: null, value: { state: "loading" } });
		setAttempt((n) => n + 1);
	}, [key, reports]);

	const value: Loadable<T> = state.key === key && key !== null ? state.value : { state: "loading" };
	return { ...value, retry };
}

/** Where the server hands out the demo account's token (demo mode, loopback callers only). */
export const fetchDemoToken = async (): Promise<string | undefined> => {
	try {
		const response = await fetch("/api/demo-token", { headers: { accept: "application/json" } });
		if (!response.ok) return undefined;
		const body = (await response.json()) as { token?: unknown };
		return typeof body.token === "string" && body.token !== "" ? body.token : undefined;
	} catch {
		return undefined;
	}
};

export type LiveState = "connecting" | "live" | "offline";

/**
 * Keeps the dashboard current by itself (contract §8.1): one live report is held open, and each result it sends
 * after the first means the account's data changed, so every card reloads — in place, the old numbers staying on
 * screen until the new ones arrive. The watched report is only the change signal; any report would do, and Total
 * Messages over a day is cheap. A lost connection is reopened after 5 s, and its first result then counts as a change
 * (something may have changed while it was down).
 */
export function useLiveReports(base: Reports): { readonly reports: Reports; readonly live: LiveState } {
	const [revision, setRevision] = useState(0);
	const [live, setLive] = useState<LiveState>("connecting");
	useEffect(() => {
		const controller = new AbortController();
		const { signal } = controller;
		void (async () => {
			let reconnecting = false;
			while (!signal.aborted) {
				try {
					let first = true;
					for await (const _ of base.client.watch({ [TotalMessages.id]: { periodDays: 1 } }, { signal })) {
						setLive("live");
						if (!first || reconnecting) setRevision((n) => n + 1);
						first = false;
					}
				} catch {
					// Offline, refused or the server restarted: try again shortly.
				}
				if (signal.aborted) return;
				setLive("offline");
				reconnecting = true;
				await new Promise((resolve) => setTimeout(resolve, 5_000));
			}
		})();
		return () => controller.abort();
	}, [base]);
	// A new revision is a new cache over the same client: each card runs its call again and keeps its data meanwhile.
	const reports = useMemo((): Reports => ({ client: base.client, cache: new Map(), revision }), [base, revision]);
	return { reports, live };
}
