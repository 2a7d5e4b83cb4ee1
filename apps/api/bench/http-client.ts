/**
 * The benchmark's HTTP client. It runs in a worker thread of its own (as a client on the same machine would run in
 * a process of its own), so that encoding request bodies and reading answers does not queue on the server's event
 * loop and count as the service's latency; both still share the machine's cores. `--client inline` runs it on the
 * server's thread instead, as earlier versions of the benchmark did.
 */
import { isMainThread, parentPort } from "node:worker_threads";

export interface Exchange {
	readonly url: string;
	readonly token: string;
	readonly body: unknown;
	/** Return the answer's text (otherwise only its time). */
	readonly keep: boolean;
}

export interface Answer {
	/** Milliseconds from sending the request to having read the whole answer. */
	readonly elapsed: number;
	readonly text: string;
}

/** POSTs `body` as JSON with the bearer token; rejects when the answer is not 2xx, naming the status. */
export const exchange = async ({ url, token, body, keep }: Exchange): Promise<Answer> => {
	const started = performance.now();
	const response = await fetch(url, {
		method: "POST",
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	const elapsed = performance.now() - started;
	if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
	return { elapsed, text: keep ? text : "" };
};

if (!isMainThread && parentPort) {
	const port = parentPort;
	port.on("message", (message: { readonly id: number; readonly exchange: Exchange }) => {
		exchange(message.exchange).then(
			(answer) => port.postMessage({ id: message.id, answer }),
			(error: unknown) =>
				port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
		);
	});
}
