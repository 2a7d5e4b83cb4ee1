import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveAllowed } from "./address-guard.ts";

export type SendOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * One POST of a delivery. The host is resolved and checked here, at each attempt, and the connection goes to the
 * first checked address (the `lookup` below answers it instead of resolving again), so the address that was checked
 * is the one reached; TLS still verifies the certificate against the host name. 2xx is success; another status, a
 * refused address, a network error or no answer within `timeoutMs` is a failure described for the delivery log.
 */
export const sendDelivery = async (options: {
	readonly url: string;
	readonly body: string;
	readonly headers: Record<string, string>;
	readonly timeoutMs: number;
	readonly allowPrivate: boolean;
	readonly signal: AbortSignal;
}): Promise<SendOutcome> => {
	let target: URL;
	try {
		target = new URL(options.url);
	} catch {
		return { ok: false, error: "The webhook URL is not valid" };
	}
	let pinned: { address: string; family: 4 | 6 };
	try {
		const addresses = await resolveAllowed(target.hostname, options.allowPrivate);
		pinned = addresses[0]!;
	} catch (error) {
		return { ok: false, error: error instanceof Error ? error.message : String(error) };
	}
	const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
		if (lookupOptions.all) callback(null, [pinned]);
		else callback(null, pinned.address, pinned.family);
	};
	const transport = target.protocol === "https:" ? https : http;
	return new Promise<SendOutcome>((resolve) => {
		const request = transport.request(
			target,
			{
				method: "POST",
				lookup,
				agent: false,
				headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
				signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
			},
			(response) => {
				// The answer's body is not used: read and dropped so the socket closes cleanly.
				response.resume();
				response.on("end", () => {
					const status = response.statusCode ?? 0;
					resolve(
						status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `The endpoint answered ${status}` },
					);
				});
				response.on("error", () => resolve({ ok: false, error: "The endpoint's answer was cut off" }));
			},
		);
		request.on("error", (error: NodeJS.ErrnoException) => {
			const timedOut = error.name === "AbortError" && !options.signal.aborted;
			resolve({
				ok: false,
				error: timedOut
					? `No answer within ${Math.round(options.timeoutMs / 1000)} s`
					: `The request failed (${error.code ?? error.name})`,
			});
		});
		request.end(options.body);
	});
};
