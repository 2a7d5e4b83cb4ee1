import type { ReactNode } from "react";
import type { Loadable } from "./api.ts";
import { type CsvSource, DownloadCsv } from "./download.tsx";

/**
 * A dashboard card around one report call: a skeleton while it loads, the report's error (with a retry) when it
 * fails, the content when it succeeds, with a CSV download of its report when given one. Cards load and fail
 * independently.
 */
export function Panel<T>({
	title,
	subtitle,
	result,
	children,
	testId,
	className,
	skeleton = "block",
	csv,
}: {
	readonly title: string;
	readonly subtitle?: ReactNode;
	readonly result: Loadable<T> & { readonly retry: () => void };
	readonly children: (data: T) => ReactNode;
	readonly testId: string;
	readonly className?: string;
	readonly skeleton?: "block" | "stat";
	/** The report to offer as a CSV download once the card has loaded. */
	readonly csv?: CsvSource;
}) {
	return (
		<section
			className={`panel${className ? ` ${className}` : ""}`}
			data-testid={testId}
			data-state={result.state}
			aria-busy={result.state === "loading"}
		>
			<header className="panel-header">
				<h3>{title}</h3>
				{subtitle !== undefined && <span className="panel-subtitle">{subtitle}</span>}
				{csv !== undefined && result.state === "ok" && <DownloadCsv source={csv} title={title} />}
			</header>
			{result.state === "loading" && <Skeleton kind={skeleton} />}
			{result.state === "error" && <PanelError code={result.code} message={result.message} onRetry={result.retry} />}
			{result.state === "ok" && children(result.data)}
		</section>
	);
}

export function Skeleton({ kind }: { readonly kind: "block" | "stat" }) {
	return kind === "stat" ? (
		<div className="skeleton-stack" aria-hidden="true">
			<span className="skeleton line wide" />
			<span className="skeleton line" />
			<span className="skeleton spark" />
		</div>
	) : (
		<div className="skeleton-stack" aria-hidden="true">
			<span className="skeleton block" />
		</div>
	);
}

function PanelError({
	code,
	message,
	onRetry,
}: {
	readonly code: string;
	readonly message: string;
	readonly onRetry: () => void;
}) {
	return (
		<div className="panel-error" role="alert">
			<p>
				<strong>Could not load this report.</strong> {message}
			</p>
			<p className="panel-error-actions">
				<code>{code}</code>
				<button type="button" className="link-button" onClick={onRetry}>
					Try again
				</button>
			</p>
		</div>
	);
}
