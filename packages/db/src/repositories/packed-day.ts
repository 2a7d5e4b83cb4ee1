/**
 * The packed entries of `contact_day` (written by `src/rollups/`), decoded for counting and merged for compaction.
 * An entry: number (4 bytes, big-endian), first slot, last slot.
 */
const ENTRY_BYTES = 6;

/** The contact number of the entry at `offset`. */
const seqAt = (entries: Uint8Array, offset: number) =>
	(entries[offset]! << 24) | (entries[offset + 1]! << 16) | (entries[offset + 2]! << 8) | entries[offset + 3]!;

/** A packed day decoded: contact numbers and the first and last slot of each (see `contact_day`). */
export interface PackedDay {
	readonly seqs: Int32Array;
	readonly first: Uint8Array;
	readonly last: Uint8Array;
	/** Entry indexes by last slot, latest first: a suffix of the day visits only the entries that reach it. */
	readonly byLast: Int32Array;
}

/** Decodes 6-byte entries: number (4 bytes, big-endian), first slot, last slot. */
export const decodePackedDay = (entries: Uint8Array): PackedDay => {
	const count = Math.floor(entries.byteLength / ENTRY_BYTES);
	const seqs = new Int32Array(count);
	const first = new Uint8Array(count);
	const last = new Uint8Array(count);
	for (let index = 0, offset = 0; index < count; index++, offset += ENTRY_BYTES) {
		seqs[index] = seqAt(entries, offset);
		first[index] = entries[offset + 4]!;
		last[index] = entries[offset + 5]!;
	}
	const byLast = Int32Array.from({ length: count }, (_, index) => index).sort((a, b) => last[b]! - last[a]!);
	return { seqs, first, last, byLast };
};

/**
 * One packed day from several parts of it (see `contact_day`): each contact number once, with the earliest first
 * slot and the latest last slot any part gives it, in number order — the same entries a rebuild from the
 * conversations writes.
 */
export const mergePackedEntries = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
	let maxSeq = 0;
	for (const part of parts) {
		for (let offset = 0; offset + ENTRY_BYTES <= part.byteLength; offset += ENTRY_BYTES) {
			maxSeq = Math.max(maxSeq, seqAt(part, offset));
		}
	}
	const first = new Uint8Array(maxSeq + 1).fill(255);
	const last = new Int16Array(maxSeq + 1).fill(-1);
	let count = 0;
	for (const part of parts) {
		for (let offset = 0; offset + ENTRY_BYTES <= part.byteLength; offset += ENTRY_BYTES) {
			const seq = seqAt(part, offset);
			if (last[seq] === -1) count++;
			first[seq] = Math.min(first[seq]!, part[offset + 4]!);
			last[seq] = Math.max(last[seq]!, part[offset + 5]!);
		}
	}
	const merged = new Uint8Array(count * ENTRY_BYTES);
	for (let seq = 0, offset = 0; seq <= maxSeq; seq++) {
		if (last[seq] === -1) continue;
		merged[offset] = seq >>> 24;
		merged[offset + 1] = (seq >>> 16) & 255;
		merged[offset + 2] = (seq >>> 8) & 255;
		merged[offset + 3] = seq & 255;
		merged[offset + 4] = first[seq]!;
		merged[offset + 5] = last[seq]!;
		offset += ENTRY_BYTES;
	}
	return merged;
};
