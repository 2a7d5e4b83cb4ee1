/**
 * Drill-down (contract §8.4): the conversations behind one point of a chart — created in that bucket's `[start, end)`,
 * of the bot the view is filtered to — newest first, a page at a time, optionally only those rated up or down.
 */
import type { ConversationItem, ConversationsPage } from "@convolens/client";
import { ConvolensError } from "@convolens/client";
import { useContext, useEffect, useState } from "react";
import { ReportsContext } from "./api.ts";
import { formatBucket, formatDateTime, formatNumber } from "./format.ts";

/** A chart point a person clicked: which chart, the bucket's label and its span, and the view's bot filter. */
export interface Drill {
	readonly title: string;
	readonly date: string;
	readonly start: string;
	readonly end: string;
	readonly botId?: string;
}

type Rating = "" | "up" | "down";

type Listing =
	| { readonly state: "loading"; readonly items: ReadonlyArray<ConversationItem> }
	| { readonly state: "ok"; readonly items: ReadonlyArray<ConversationItem>; readonly cursor?: string }
	| { readonly state: "error"; readonly items: ReadonlyArray<ConversationItem>; readonly message: string };

const PAGE_SIZE = 25;

export function ConversationList({
	drill,
	timezone,
	onClose,
}: {
	readonly drill: Drill;
	readonly timezone: string;
	readonly onClose: () => void;
}) {
	const reports = useContext(ReportsContext);
	if (reports === undefined) throw new Error("ConversationList needs a ReportsContext provider");
	const [rating, setRating] = useState<Rating>("");
	const [listing, setListing] = useState<Listing>({ state: "loading", items: [] });
	// The page to read next: undefined for the first; a new drill or filter starts over.
	const [cursor, setCursor] = useState<string | undefined>(undefined);
	const queryKey = `${drill.start} ${drill.end} ${drill.botId ?? ""} ${rating}`;
	const [readKey, setReadKey] = useState(queryKey);
	if (readKey !== queryKey) {
		setReadKey(queryKey);
		setCursor(undefined);
		setListing({ state: "loading", items: [] });
	}

	useEffect(() => {
		let current = true;
		const { client } = reports;
		client
			.conversations({
				start: drill.start,
				end: drill.end,
				take: PAGE_SIZE,
				...(drill.botId === undefined ? {} : { botId: drill.botId }),
				...(rating === "" ? {} : { rating }),
				...(cursor === undefined ? {} : { cursor }),
			})
			.then(
				(page: ConversationsPage) => {
					if (!current) return;
					setListing((before) => ({
						state: "ok",
						items: cursor === undefined ? page.items : [...before.items, ...page.items],
						...(page.cursor === undefined ? {} : { cursor: page.cursor }),
					}));
				},
				(error: unknown) => {
					if (!current) return;
					const message = error instanceof ConvolensError || error instanceof Error ? error.message : String(error);
					setListing((before) => ({ state: "error", items: before.items, message }));
				},
			);
		return () => {
			current = false;
		};
	}, [reports, drill.start, drill.end, drill.botId, rating, cursor]);

	return (
		<section
			className="panel drill span-all"
			data-testid="conversation-list"
			data-state={listing.state}
			aria-label={`${drill.title} on ${formatBucket(drill.date)}: conversations`}
		>
			<header className="panel-header">
				<h3>
					Conversations created {formatBucket(drill.date)}
					{drill.botId === undefined ? "" : ` · ${drill.botId}`}
				</h3>
				<span className="panel-subtitle">
					{formatDateTime(drill.start, timezone)} – {formatDateTime(drill.end, timezone)} · from {drill.title}
				</span>
				<label className="field inline">
					<span>Rated</span>
					<select value={rating} onChange={(event) => setRating(event.target.value as Rating)} aria-label="Rated">
						<option value="">any</option>
						<option value="up">with a thumbs up</option>
						<option value="down">with a thumbs down</option>
					</select>
				</label>
				<button type="button" className="ghost" onClick={onClose}>
					Close
				</button>
			</header>
			{listing.items.length === 0 && listing.state === "ok" ? (
				<p className="empty">No conversation was created in this bucket.</p>
			) : (
				<div className="table-scroll">
					<table className="conversations">
						<thead>
							<tr>
								<th scope="col">Created</th>
								<th scope="col">Conversation</th>
								<th scope="col">Bot</th>
								<th scope="col">Contact</th>
								<th scope="col">User</th>
								<th scope="col">Bot msgs</th>
								<th scope="col">Actions</th>
								<th scope="col">Tokens</th>
								<th scope="col">Thumbs up</th>
								<th scope="col">Thumbs down</th>
							</tr>
						</thead>
						<tbody>
							{listing.items.map((item) => (
								<tr key={item.id} data-conversation={item.id}>
									<td>{formatDateTime(item.createdAt, timezone)}</td>
									<td>
										<code>{item.id}</code>
									</td>
									<td>{item.botId ?? "—"}</td>
									<td>{item.contactId ?? "—"}</td>
									<td>{formatNumber(item.userMessages)}</td>
									<td>{formatNumber(item.botMessages)}</td>
									<td>{formatNumber(item.activityMessages)}</td>
									<td>{formatNumber(item.tokens)}</td>
									<td>{formatNumber(item.thumbsUp)}</td>
									<td>{formatNumber(item.thumbsDown)}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{listing.state === "loading" && <p className="muted small">Loading conversations…</p>}
			{listing.state === "error" && (
				<p className="panel-error" role="alert">
					<strong>Could not load the conversations.</strong> {listing.message}
				</p>
			)}
			{listing.state === "ok" && listing.cursor !== undefined && (
				<button type="button" className="ghost" onClick={() => setCursor(listing.cursor)}>
					Load more
				</button>
			)}
		</section>
	);
}
