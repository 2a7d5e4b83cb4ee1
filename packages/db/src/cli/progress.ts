/**
 * Progress of a long command on stderr: done of total, the rate, and the time left at that rate. On a terminal one
 * line is rewritten in place; elsewhere (logs, pipes) a line is printed at most once per `intervalMs`, and always at
 * the end.
 */
export interface Progress {
	/** `done` units of `total` are finished; prints when the last line is older than the interval. */
	readonly update: (done: number) => void;
	/** Prints the final line (done of total, elapsed time). */
	readonly finish: (done: number) => void;
}

export interface ProgressOptions {
	readonly label: string;
	readonly total: number;
	/** The unit counted, plural: `messages`, `accounts`. */
	readonly unit: string;
	readonly write?: (text: string) => void;
	readonly rewrite?: boolean;
	readonly now?: () => number;
	readonly intervalMs?: number;
}

const count = (value: number) => Math.round(value).toLocaleString("en");

/** `0:42`, `12:05`, `1:02:09`. */
const formatDuration = (ms: number) => {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const h = Math.floor(seconds / 3600);
	const m = Math.floor((seconds % 3600) / 60);
	const s = String(seconds % 60).padStart(2, "0");
	return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
};

/** One line of progress, e.g. `generate: 1,200 / 3,000 messages (40%), 600/s, ETA 0:03`. */
const progressLine = (options: Pick<ProgressOptions, "label" | "total" | "unit">, done: number, elapsedMs: number) => {
	const percent = options.total > 0 ? Math.floor((100 * done) / options.total) : 100;
	const head = `${options.label}: ${count(done)} / ${count(options.total)} ${options.unit} (${percent}%)`;
	if (elapsedMs <= 0 || done <= 0) return `${head}, ETA unknown`;
	const rate = done / (elapsedMs / 1000);
	return `${head}, ${count(rate)}/s, ETA ${formatDuration(((options.total - done) / done) * elapsedMs)}`;
};

export const makeProgress = (options: ProgressOptions): Progress => {
	const write = options.write ?? ((text: string) => process.stderr.write(text));
	const rewrite = options.rewrite ?? process.stderr.isTTY === true;
	const now = options.now ?? Date.now;
	const intervalMs = options.intervalMs ?? (rewrite ? 200 : 1_000);
	const started = now();
	let printed = started;
	return {
		update: (done) => {
			const at = now();
			if (at - printed < intervalMs) return;
			printed = at;
			const line = progressLine(options, done, at - started);
			write(rewrite ? `\r\x1b[K${line}` : `${line}\n`);
		},
		finish: (done) => {
			const line = `${options.label}: ${count(done)} / ${count(options.total)} ${options.unit} in ${formatDuration(now() - started)}`;
			write(rewrite ? `\r\x1b[K${line}\n` : `${line}\n`);
		},
	};
};
