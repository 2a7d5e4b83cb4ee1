/**
 * The one seeded pseudo-random generator of the repository (mulberry32) and the samplers built on it, for the demo
 * seed, synthetic data, benchmarks and tests: the same seed gives the same data everywhere, so a failing seed can be
 * replayed. Not for anything that must be unpredictable. `@convolens/core/random` loads nothing else.
 */

/** A seeded stream of pseudo-random numbers. */
export interface Random {
	/** Uniform in [0, 1). */
	readonly next: () => number;
	/** Integer in [min, max]. */
	readonly int: (min: number, max: number) => number;
	/** One of `items` (not empty), each equally likely. */
	readonly pick: <T>(items: ReadonlyArray<T>) => T;
	/** True with the given probability. */
	readonly chance: (probability: number) => boolean;
}

/** A generator whose stream depends only on `seed` (taken as an unsigned 32-bit integer). */
export const seededRandom = (seed: number): Random => {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
	return {
		next,
		int,
		pick: (items) => items[Math.floor(next() * items.length)]!,
		chance: (probability) => next() < probability,
	};
};

/**
 * Samples indexes 0..n−1 with Zipf-like skew (weight 1 / (rank + 1)^exponent): a few bots or contacts get most of
 * the traffic, as on real platforms.
 */
export const zipfSampler = (n: number, exponent: number, random: Random): (() => number) => {
	const cumulative = new Float64Array(n);
	let total = 0;
	for (let rank = 0; rank < n; rank++) {
		total += 1 / (rank + 1) ** exponent;
		cumulative[rank] = total;
	}
	return () => {
		const target = random.next() * total;
		let low = 0;
		let high = n - 1;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (cumulative[mid]! < target) low = mid + 1;
			else high = mid;
		}
		return low;
	};
};

/** Samples an index with probability proportional to its weight. */
export const weightedSampler = (weights: ReadonlyArray<number>, random: Random): (() => number) => {
	const total = weights.reduce((sum, weight) => sum + weight, 0);
	return () => {
		let target = random.next() * total;
		for (let index = 0; index < weights.length; index++) {
			target -= weights[index]!;
			if (target < 0) return index;
		}
		return weights.length - 1;
	};
};
