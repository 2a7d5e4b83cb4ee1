import type { AlertsOutput } from "@convolens/client";
import { formatNumber, formatPercent } from "./format.ts";

type Alert = AlertsOutput["alerts"][number];

const severities = ["critical", "warning", "info"] as const;

const severityLabel: Record<Alert["severity"], string> = {
	critical: "Critical",
	warning: "Warning",
	info: "Info",
};

/** Alerts grouped by severity, most severe first, with the numbers that raised them. */
export function AlertList({ output }: { readonly output: Pick<AlertsOutput, "alerts" | "summary"> }) {
	if (output.alerts.length === 0) {
		return <p className="empty good">No alerts in this period: everything is within its usual range.</p>;
	}
	return (
		<div className="alerts">
			<p className="alert-summary">
				{severities.map((severity) => {
					const count = output.alerts.filter((a) => a.severity === severity).length;
					return (
						<span key={severity} className={`chip ${severity}`} data-testid={`alert-count-${severity}`}>
							{count} {severityLabel[severity].toLowerCase()}
						</span>
					);
				})}
			</p>
			<ul className="alert-list">
				{severities.flatMap((severity) =>
					output.alerts
						.filter((a) => a.severity === severity)
						.map((alert) => (
							<li key={`${alert.type}:${alert.title}`} className={`alert ${severity}`}>
								<span className={`chip ${severity}`}>{severityLabel[severity]}</span>
								<div>
									<p className="alert-title">{alert.title}</p>
									<p className="alert-message">{alert.message}</p>
									<p className="alert-metric">
										{formatNumber(alert.metric.current)} against {formatNumber(alert.metric.baseline)} (
										{formatPercent(alert.metric.percentage)})
									</p>
								</div>
							</li>
						)),
				)}
			</ul>
		</div>
	);
}
