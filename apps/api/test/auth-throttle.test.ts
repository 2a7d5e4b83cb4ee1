import { describe, expect, it } from "vitest";
import { AppError } from "../src/errors.ts";
import { createAuthThrottle } from "../src/http/auth-throttle.ts";

/** What `check` answered: the principal, null (a 401), or the seconds of a 429's Retry-After. */
const outcome = async (promise: Promise<string | null>) => {
	try {
		return await promise;
	} catch (error) {
		if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") return { retryAfter: error.retryAfter };
		throw error;
	}
};

describe("failed authentication per client address", () => {
	it("answers 401 for the first failures, then 429 with Retry-After until the budget refills", async () => {
		let now = 1_000_000;
		const throttle = createAuthThrottle({ failuresPerMinute: 60, burst: 3 }, () => now);
		const wrong = async () => null;
		for (let attempt = 0; attempt < 3; attempt++) expect(await outcome(throttle.check("10.0.0.1", wrong))).toBeNull();
		expect(await outcome(throttle.check("10.0.0.1", wrong))).toEqual({ retryAfter: 2 });
		expect(await outcome(throttle.check("10.0.0.1", wrong))).toEqual({ retryAfter: 3 });
		// Another address is untouched.
		expect(await outcome(throttle.check("10.0.0.2", wrong))).toBeNull();
		// One a second comes back: after 3 s two failures decayed, so one more is a plain 401 again.
		now += 3_000;
		expect(await outcome(throttle.check("10.0.0.1", wrong))).toBeNull();
	});

	it("never refuses a valid token from a throttled address, and runs that address's lookups one at a time", async () => {
		const throttle = createAuthThrottle({ failuresPerMinute: 1, burst: 2 });
		for (let attempt = 0; attempt < 3; attempt++) await outcome(throttle.check("10.0.0.9", async () => null));
		let running = 0;
		let most = 0;
		const lookup = (answer: string | null) => async () => {
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setTimeout(resolve, 5));
			running--;
			return answer;
		};
		const answers = await Promise.all([
			outcome(throttle.check("10.0.0.9", lookup(null))),
			outcome(throttle.check("10.0.0.9", lookup("principal"))),
			outcome(throttle.check("10.0.0.9", lookup(null))),
			outcome(throttle.check("10.0.0.9", lookup("principal"))),
		]);
		expect(answers[1]).toBe("principal");
		expect(answers[3]).toBe("principal");
		expect(answers[0]).toEqual({ retryAfter: expect.any(Number) });
		expect(answers[2]).toEqual({ retryAfter: expect.any(Number) });
		expect(most).toBe(1);
	});
});
