/** One server-sent event: its `event` name (`message` when unnamed) and its `data` lines joined. */
export interface ServerSentEvent {
	readonly event: string;
	readonly data: string;
}

/**
 * The events of a `text/event-stream` body (the WHATWG format: `field: value` lines, a blank line ends an event,
 * lines starting with `:` are comments such as heartbeats). Works on any `fetch` whose body is a stream, so it
 * can send headers that the browser's `EventSource` cannot.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
	const reader = body.getReader();
	const decoder = new TextDecoder();
	let buffer = "";
	try {
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return;
			buffer += decoder.decode(value, { stream: true }).replaceAll("\r\n", "\n");
			for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				let event = "message";
				const data: Array<string> = [];
				for (const line of block.split("\n")) {
					if (line.startsWith(":")) continue;
					const colon = line.indexOf(":");
					const field = colon < 0 ? line : line.slice(0, colon);
					const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
					if (field === "event") event = value;
					else if (field === "data") data.push(value);
				}
				if (data.length > 0) yield { event, data: data.join("\n") };
			}
		}
	} finally {
		await reader.cancel().catch(() => undefined);
	}
}
