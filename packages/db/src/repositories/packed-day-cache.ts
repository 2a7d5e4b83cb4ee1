import { decodePackedDay, type PackedDay } from "./packed-day.ts";

/**
 * Packed days already read, by row version (`day/part/xmin/length`): a version's entries never change, so a copy is
 * exact, and a read asks only for the entries of versions it does not hold — in practice today's, since past days
 * change only when a late event or an erase rebuilds them. Bounded: past `maxBytes`, the oldest copies go.
 */
export class PackedDayCache {
	private readonly accounts = new Map<string, Map<string, PackedDay>>();
	private bytes = 0;
	private readonly maxBytes: number;

	constructor(maxBytes = 64 * 1024 * 1024) {
		this.maxBytes = maxBytes;
	}

	/** The copies held for an account, as of now (later evictions do not affect the returned map). */
	held(accountId: string): ReadonlyMap<string, PackedDay> {
		return new Map(this.accounts.get(accountId) ?? []);
	}

	/** Decodes and keeps `entries` as the version `key`; returns the decoded day. */
	set(accountId: string, key: string, entries: Uint8Array): PackedDay {
		const decoded = decodePackedDay(entries);
		let days = this.accounts.get(accountId);
		if (days === undefined) {
			days = new Map();
			this.accounts.set(accountId, days);
		}
		// Versions of the same day and part that this one replaces are unreachable now.
		const prefix = key.slice(0, key.indexOf("/", key.indexOf("/") + 1) + 1);
		for (const [held, bytes] of days) {
			if (held.startsWith(prefix)) {
				days.delete(held);
				this.bytes -= sizeOf(bytes);
			}
		}
		days.set(key, decoded);
		this.bytes += sizeOf(decoded);
		for (const [account, held] of this.accounts) {
			if (this.bytes <= this.maxBytes) break;
			for (const [oldest, bytes] of held) {
				if (this.bytes <= this.maxBytes) break;
				held.delete(oldest);
				this.bytes -= sizeOf(bytes);
			}
			if (held.size === 0) this.accounts.delete(account);
		}
		return decoded;
	}
}

const sizeOf = (day: PackedDay) =>
	day.seqs.byteLength + day.first.byteLength + day.last.byteLength + day.byLast.byteLength;
