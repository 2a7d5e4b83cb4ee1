/** Structured JSON lines on stdout. Callers pass fields explicitly; tokens and request bodies are never logged. */
const logLevels = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
	readonly debug: (message: string, fields?: LogFields) => void;
	readonly info: (message: string, fields?: LogFields) => void;
	readonly warn: (message: string, fields?: LogFields) => void;
	readonly error: (message: string, fields?: LogFields) => void;
}

export const parseLogLevel = (value: string | undefined): LogLevel => {
	const level = (value ?? "info").toLowerCase();
	return (logLevels as ReadonlyArray<string>).includes(level) ? (level as LogLevel) : "info";
};

export const createLogger = (
	options: { readonly level?: LogLevel; readonly write?: (line: string) => void } = {},
): Logger => {
	const threshold = logLevels.indexOf(options.level ?? "info");
	const write = options.write ?? ((line: string) => process.stdout.write(line));
	const log = (level: Exclude<LogLevel, "silent">) => (message: string, fields?: LogFields) => {
		if (logLevels.indexOf(level) < threshold) return;
		write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
	};
	return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
};

export const silentLogger: Logger = createLogger({ level: "silent" });
