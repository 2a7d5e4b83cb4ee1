/**
 * Hand-written SVG charts: a sparkline, a line chart with an optional previous-period overlay, grouped and stacked
 * bars. They scale with their container through the viewBox and need nothing beyond React.
 */
import { type MouseEvent, useId, useState } from "react";
import { formatBucket, formatCompact, formatNumber } from "./format.ts";

/** A round upper bound for the y axis (1, 2, 2.5 or 5 × 10ⁿ), at least 1. */
const niceMax = (value: number): number => {
	if (!(value > 0)) return 1;
	const magnitude = 10 ** Math.floor(Math.log10(value));
	const step = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= value) ?? 10;
	return step * magnitude;
};

export function Sparkline({ values, label }: { readonly values: ReadonlyArray<number>; readonly label: string }) {
	const gradient = useId();
	const width = 120;
	const height = 32;
	const max = Math.max(...values, 0) || 1;
	const step = values.length > 1 ? width / (values.length - 1) : width;
	const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
	return (
		<svg className="sparkline" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img">
			<title>{label}</title>
			<defs>
				<linearGradient id={gradient} x1="0" x2="0" y1="0" y2="1">
					<stop offset="0%" stopColor="currentColor" stopOpacity="0.25" />
					<stop offset="100%" stopColor="currentColor" stopOpacity="0" />
				</linearGradient>
			</defs>
			{values.length > 0 && (
				<>
					<polygon points={`0,${height} ${points.join(" ")} ${width},${height}`} fill={`url(#${gradient})`} />
					<polyline points={points.join(" ")} fill="none" stroke="currentColor" strokeWidth="1.5" />
				</>
			)}
		</svg>
	);
}

export interface Series {
	readonly name: string;
	readonly values: ReadonlyArray<number>;
	/** A CSS class that sets the stroke colour. */
	readonly tone: "primary" | "muted" | "good" | "bad";
	readonly dashed?: boolean;
}

const chartWidth = 640;
const chartHeight = 220;
const pad = { top: 12, right: 12, bottom: 28, left: 44 };

/**
 * Lines over shared x labels; hovering shows each series' value on that day. With `onSelect`, each point is a
 * button (a column the height of the plot, so a click anywhere near the point hits it) that reports its index.
 */
export function LineChart({
	labels,
	series,
	title,
	onSelect,
}: {
	readonly labels: ReadonlyArray<string>;
	readonly series: ReadonlyArray<Series>;
	readonly title: string;
	readonly onSelect?: (index: number) => void;
}) {
	const [hover, setHover] = useState<number | undefined>(undefined);
	const count = labels.length;
	const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
	const innerWidth = chartWidth - pad.left - pad.right;
	const innerHeight = chartHeight - pad.top - pad.bottom;
	const x = (i: number) => pad.left + (count > 1 ? (i / (count - 1)) * innerWidth : innerWidth / 2);
	const y = (v: number) => pad.top + innerHeight - (v / max) * innerHeight;
	const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
	const labelIndexes = count <= 1 ? [0] : [...new Set([0, Math.floor((count - 1) / 2), count - 1])];

	const onMove = (event: MouseEvent<SVGSVGElement>) => {
		const box = event.currentTarget.getBoundingClientRect();
		const px = ((event.clientX - box.left) / box.width) * chartWidth;
		const index = count > 1 ? Math.round(((px - pad.left) / innerWidth) * (count - 1)) : 0;
		setHover(Math.min(count - 1, Math.max(0, index)));
	};

	return (
		<figure className="line-chart">
			<svg
				viewBox={`0 0 ${chartWidth} ${chartHeight}`}
				role="img"
				onMouseMove={onMove}
				onMouseLeave={() => setHover(undefined)}
			>
				<title>{title}</title>
				{ticks.map((tick) => (
					<g key={tick} className="grid">
						<line x1={pad.left} x2={chartWidth - pad.right} y1={y(tick)} y2={y(tick)} />
						<text x={pad.left - 8} y={y(tick)} dy="0.32em" textAnchor="end">
							{formatCompact(tick)}
						</text>
					</g>
				))}
				{labelIndexes.map((i) => (
					<text
						key={i}
						className="axis-label"
						x={x(i)}
						y={chartHeight - 8}
						textAnchor={i === 0 && count > 1 ? "start" : i === count - 1 && count > 1 ? "end" : "middle"}
					>
						{formatBucket(labels[i] ?? "")}
					</text>
				))}
				{series.map((s) => (
					<polyline
						key={s.name}
						className={`series ${s.tone}${s.dashed ? " dashed" : ""}`}
						points={s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}
					/>
				))}
				{onSelect !== undefined &&
					labels.map((label, i) => {
						const slot = count > 1 ? innerWidth / (count - 1) : innerWidth;
						return (
							// biome-ignore lint/a11y/useSemanticElements: an SVG column cannot be a <button>; it acts as one
							<rect
								key={label}
								className="hit"
								data-bucket={label}
								x={x(i) - slot / 2}
								y={pad.top}
								width={slot}
								height={innerHeight}
								role="button"
								tabIndex={0}
								aria-label={`${formatBucket(label)}: list its conversations`}
								onClick={() => onSelect(i)}
								onKeyDown={(event) => {
									if (event.key !== "Enter" && event.key !== " ") return;
									event.preventDefault();
									onSelect(i);
								}}
							/>
						);
					})}
				{hover !== undefined && (
					<g className="hover">
						<line x1={x(hover)} x2={x(hover)} y1={pad.top} y2={pad.top + innerHeight} />
						{series.map((s) => (
							<circle key={s.name} className={`dot ${s.tone}`} cx={x(hover)} cy={y(s.values[hover] ?? 0)} r="3.5" />
						))}
					</g>
				)}
			</svg>
			<figcaption className="legend">
				{hover !== undefined && <span className="legend-date">{formatBucket(labels[hover] ?? "")}</span>}
				{series.map((s) => (
					<span key={s.name} className={`legend-item ${s.tone}${s.dashed ? " dashed" : ""}`}>
						<i aria-hidden="true" />
						{s.name}
						{hover !== undefined && <strong>{formatNumber(s.values[hover] ?? 0)}</strong>}
					</span>
				))}
			</figcaption>
		</figure>
	);
}

export interface Bar {
	readonly label: string;
	readonly value: number;
	readonly hint?: string;
}

/** Horizontal-axis bars with their values on top: a small histogram. */
export function BarChart({ bars, title }: { readonly bars: ReadonlyArray<Bar>; readonly title: string }) {
	const max = Math.max(1, ...bars.map((b) => b.value));
	return (
		<div className="bar-chart" role="img" aria-label={title}>
			{bars.map((bar) => (
				<div key={bar.label} className="bar" title={bar.hint}>
					<span className="bar-value">{formatNumber(bar.value)}</span>
					<span className="bar-track">
						<span className="bar-fill" style={{ height: `${(bar.value / max) * 100}%` }} />
					</span>
					<span className="bar-label">{bar.label}</span>
				</div>
			))}
		</div>
	);
}

/** One column per bucket, thumbs up above the axis and thumbs down below it. */
export function SplitBars({
	buckets,
	title,
}: {
	readonly buckets: ReadonlyArray<{ readonly date: string; readonly up: number; readonly down: number }>;
	readonly title: string;
}) {
	const max = niceMax(Math.max(1, ...buckets.flatMap((b) => [b.up, b.down])));
	const width = chartWidth;
	const height = chartHeight;
	const mid = height / 2;
	const half = mid - 16;
	const slot = (width - pad.left - pad.right) / Math.max(1, buckets.length);
	const barWidth = Math.max(1, slot * 0.7);
	return (
		<figure className="line-chart">
			<svg viewBox={`0 0 ${width} ${height}`} role="img">
				<title>{title}</title>
				<g className="grid">
					<line x1={pad.left} x2={width - pad.right} y1={mid} y2={mid} />
					<text x={pad.left - 8} y={mid - half} dy="0.32em" textAnchor="end">
						▲ {formatCompact(max)}
					</text>
					<text x={pad.left - 8} y={mid + half} dy="0.32em" textAnchor="end">
						▼ {formatCompact(max)}
					</text>
				</g>
				{buckets.map((b, i) => {
					const left = pad.left + i * slot + (slot - barWidth) / 2;
					const up = (b.up / max) * half;
					const down = (b.down / max) * half;
					return (
						<g key={b.date}>
							<title>{`${formatBucket(b.date)}: ${b.up} up, ${b.down} down`}</title>
							<rect className="fill good" x={left} y={mid - up} width={barWidth} height={up} rx="1" />
							<rect className="fill bad" x={left} y={mid} width={barWidth} height={down} rx="1" />
						</g>
					);
				})}
			</svg>
			<figcaption className="legend">
				<span className="legend-item good">
					<i aria-hidden="true" />
					Thumbs up
				</span>
				<span className="legend-item bad">
					<i aria-hidden="true" />
					Thumbs down
				</span>
			</figcaption>
		</figure>
	);
}
