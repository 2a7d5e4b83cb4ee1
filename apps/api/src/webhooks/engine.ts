import { generateReport, ReportIds } from "@convolens/core";
import {
	accountsDueForEvaluation,
	applyEvaluation,
	botIdsOf,
	type ClaimedDelivery,
	claimDueDeliveries,
	listWebhooks,
	type RaisedAlert,
	recordDeliveryAttempt,
} from "@convolens/db";
import type { Logger } from "../http/logger.ts";
import type { AppRuntime } from "../runtime.ts";
import { sendDelivery } from "./sender.ts";
import { signatureHeader } from "./signature.ts";

/** Timing of alert webhooks (contract §8.3); the defaults are the contract's, tests shorten them. */
export interface WebhookOptions {
	/** Allow webhook URLs on loopback, private and link-local addresses (`WEBHOOK_ALLOW_PRIVATE`). Default false. */
	readonly allowPrivate?: boolean;
	/** An ingest schedules its account's evaluation this long after it (later ingests join it). Default 5 s. */
	readonly coalesceMs?: number;
	/** Every account with a webhook is evaluated this often. Default 5 minutes. */
	readonly evaluateEveryMs?: number;
	/** How often the outbox is scanned for due deliveries. Default 1 s. */
	readonly deliveryPollMs?: number;
	/** The first retry's delay; each later one doubles it, up to `retryMaxMs`. Default 10 s. */
	readonly retryBaseMs?: number;
	/** The longest delay between two attempts. Default 1 hour. */
	readonly retryMaxMs?: number;
	/** A delivery still failing this long after it was queued is marked failed. Default 24 hours. */
	readonly retryForMs?: number;
	/** An attempt without an answer for this long fails. Default 10 s. */
	readonly timeoutMs?: number;
}

export interface WebhookEngine {
	readonly allowPrivate: boolean;
	/** Schedules the account's evaluation after an ingest that committed. */
	readonly afterIngest: (accountId: string) => void;
	/** Evaluates the account now (the periodic and coalesced evaluations call this). */
	readonly evaluate: (accountId: string) => Promise<void>;
	readonly close: () => void;
}

const DELIVERIES_PER_SCAN = 20;

/** One raised alert's identity: the report, the bot, and the rule's type and title (not its numbers or severity). */
const alertKey = (reportId: string, botId: string | undefined, alert: { type: string; title: string }) =>
	JSON.stringify([reportId, botId ?? null, alert.type, alert.title]);

/**
 * The background work of alert webhooks for one server: coalesced evaluations after ingests, the periodic
 * evaluation, and the delivery loop over the outbox. Several processes may run it over one database; the database
 * decides which alerts are new (`applyEvaluation`) and who sends each delivery (`claimDueDeliveries`).
 */
export const createWebhookEngine = (
	runtime: AppRuntime,
	logger: Logger,
	options: WebhookOptions = {},
): WebhookEngine => {
	const allowPrivate = options.allowPrivate ?? false;
	const coalesceMs = options.coalesceMs ?? 5_000;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const retryBaseMs = options.retryBaseMs ?? 10_000;
	const retryMaxMs = options.retryMaxMs ?? 3_600_000;
	const retryForMs = options.retryForMs ?? 86_400_000;
	const evaluateEveryMs = options.evaluateEveryMs ?? 300_000;
	const closing = new AbortController();
	const scheduled = new Map<string, ReturnType<typeof setTimeout>>();
	const warn = (message: string, error: unknown) => {
		if (!closing.signal.aborted)
			logger.warn(message, { error: error instanceof Error ? error.message : String(error) });
	};

	const evaluate = async (accountId: string) => {
		const startedAtMs = Date.now();
		// Every ingest schedules an evaluation: an account without webhooks costs this one query, no reports.
		if ((await runtime.runPromise(listWebhooks(accountId))).length === 0) return;
		const context = { accountId };
		const bots = await runtime.runPromise(botIdsOf(accountId));
		const raised: Array<RaisedAlert> = [];
		const collect = (
			reportId: string,
			botId: string | undefined,
			alerts: ReadonlyArray<{ type: string; title: string }>,
		) => {
			for (const alert of alerts) {
				raised.push({
					key: alertKey(reportId, botId, alert),
					body: (id, createdAt) =>
						JSON.stringify({
							id,
							type: "alert.raised",
							accountId,
							createdAt,
							reportId,
							...(botId === undefined ? {} : { botId }),
							alert,
						}),
				});
			}
		};
		const account = await runtime.runPromise(generateReport(ReportIds.Alerts, {}, context));
		collect(ReportIds.Alerts, undefined, account.alerts);
		for (const botId of bots) {
			const perBot = await runtime.runPromise(generateReport(ReportIds.BotAlerts, { botId }, context));
			collect(ReportIds.BotAlerts, botId, perBot.alerts);
		}
		await runtime.runPromise(applyEvaluation({ accountId, startedAtMs, raised, nowMs: Date.now() }));
	};

	const afterIngest = (accountId: string) => {
		if (closing.signal.aborted || scheduled.has(accountId)) return;
		const timer = setTimeout(() => {
			scheduled.delete(accountId);
			evaluate(accountId).catch((error: unknown) => warn("webhook evaluation failed", error));
		}, coalesceMs);
		timer.unref();
		scheduled.set(accountId, timer);
	};

	let evaluatingAll = false;
	const evaluateAll = async () => {
		if (evaluatingAll) return;
		evaluatingAll = true;
		try {
			// Accounts evaluated within the last half period (by this process, another one or an ingest) wait for the next.
			const due = accountsDueForEvaluation(Date.now() - evaluateEveryMs / 2);
			for (const accountId of await runtime.runPromise(due)) {
				if (closing.signal.aborted) return;
				await evaluate(accountId).catch((error: unknown) => warn("webhook evaluation failed", error));
			}
		} catch (error) {
			warn("webhook evaluation failed", error);
		} finally {
			evaluatingAll = false;
		}
	};

	const attempt = async (delivery: ClaimedDelivery) => {
		const unixSeconds = Math.floor(Date.now() / 1000);
		const outcome = await sendDelivery({
			url: delivery.url,
			body: delivery.payload,
			headers: {
				"content-type": "application/json",
				"user-agent": "Convolens-Webhooks/1",
				"convolens-delivery": delivery.id,
				"convolens-signature": signatureHeader(delivery.secret, delivery.payload, unixSeconds),
			},
			timeoutMs,
			allowPrivate,
			signal: closing.signal,
		});
		// An attempt cut short by the shutdown is not recorded: its lease runs out and another process retries it.
		if (closing.signal.aborted) return;
		const nowMs = Date.now();
		const retryAtMs = nowMs + Math.min(retryMaxMs, retryBaseMs * 2 ** (delivery.attempts - 1));
		await runtime.runPromise(
			recordDeliveryAttempt({
				accountId: delivery.accountId,
				id: delivery.id,
				nowMs,
				outcome: outcome.ok
					? outcome
					: { ok: false, error: outcome.error, ...(retryAtMs <= delivery.createdAt + retryForMs ? { retryAtMs } : {}) },
			}),
		);
	};

	let delivering = false;
	const deliverDue = async () => {
		if (delivering) return;
		delivering = true;
		try {
			for (;;) {
				const nowMs = Date.now();
				// The lease outlasts the attempt's timeout, so only a process that died leaves a claimed row due again.
				const claimed = await runtime.runPromise(
					claimDueDeliveries({ nowMs, leaseUntilMs: nowMs + timeoutMs + 30_000, limit: DELIVERIES_PER_SCAN }),
				);
				await Promise.all(
					claimed.map((delivery) => attempt(delivery).catch((error) => warn("webhook delivery", error))),
				);
				if (claimed.length < DELIVERIES_PER_SCAN || closing.signal.aborted) return;
			}
		} catch (error) {
			warn("webhook delivery scan failed", error);
		} finally {
			delivering = false;
		}
	};

	const periodic = setInterval(() => void evaluateAll(), evaluateEveryMs);
	const poller = setInterval(() => void deliverDue(), options.deliveryPollMs ?? 1_000);
	periodic.unref();
	poller.unref();

	return {
		allowPrivate,
		afterIngest,
		evaluate,
		close: () => {
			closing.abort();
			clearInterval(periodic);
			clearInterval(poller);
			for (const timer of scheduled.values()) clearTimeout(timer);
			scheduled.clear();
		},
	};
};
