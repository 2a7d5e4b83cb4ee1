import { describe, expect, it } from "vitest";
import { batchCost, createWorkLimiter, reportCost } from "../src/http/work-limit.ts";

/** Admits `cost` and expects room at once; returns the release. */
const admitNow = async (limiter: ReturnType<typeof createWorkLimiter>, account: string, cost: number) => {
	const admission = await limiter.admit(account, cost);
	if (!admission.admitted) throw new Error(`${cost} units for ${account} were refused`);
	return admission.release;
};

describe("report work per account", () => {
	it("costs a report by the buckets it asks for, and a batch by its reports", () => {
		expect(reportCost({})).toBe(1);
		expect(reportCost({ periodDays: 30 })).toBe(1);
		expect(reportCost({ periodDays: 64 })).toBe(1);
		expect(reportCost({ periodDays: 65 })).toBe(2);
		expect(reportCost({ periodDays: 365 })).toBe(6);
		expect(reportCost({ periodDays: 90, granularity: "hour" })).toBe(34);
		expect(reportCost({ periodDays: 365, granularity: "week" })).toBe(1);
		expect(reportCost({ startDate: "2026-01-01", endDate: "2026-01-07", granularity: "hour" })).toBe(3);
		// What the report will refuse anyway costs no more than the largest window.
		expect(reportCost({ periodDays: 1e308, granularity: "hour" })).toBe(
			reportCost({ periodDays: 366, granularity: "hour" }),
		);
		expect(batchCost({ a: { periodDays: 30 }, b: { periodDays: 90, granularity: "hour" }, c: null })).toBe(36);
	});

	it("admits work up to the capacity, queues the rest in order and admits it as work finishes", async () => {
		const limiter = createWorkLimiter({ capacity: 10, queueMs: 5_000 });
		const first = await admitNow(limiter, "a", 6);
		const second = await admitNow(limiter, "a", 4);
		expect(limiter.inFlight("a")).toBe(10);
		const order: Array<string> = [];
		const third = limiter.admit("a", 5).then((admission) => {
			order.push("third");
			return admission;
		});
		// A small request behind a waiting one does not overtake it.
		const fourth = limiter.admit("a", 1).then((admission) => {
			order.push("fourth");
			return admission;
		});
		// Another account is not held up at all.
		const other = await admitNow(limiter, "b", 10);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(order).toEqual([]);
		first();
		const [thirdAdmission, fourthAdmission] = await Promise.all([third, fourth]);
		expect(order).toEqual(["third", "fourth"]);
		expect(thirdAdmission.admitted && fourthAdmission.admitted).toBe(true);
		expect(limiter.inFlight("a")).toBe(10);
		second();
		if (thirdAdmission.admitted) thirdAdmission.release();
		if (fourthAdmission.admitted) fourthAdmission.release();
		other();
		expect(limiter.inFlight("a")).toBe(0);
		expect(limiter.inFlight("b")).toBe(0);
	});

	it("refuses a request that found no room within the queue time, and one whose caller went away", async () => {
		const limiter = createWorkLimiter({ capacity: 4, queueMs: 50 });
		const running = await admitNow(limiter, "a", 4);
		const started = Date.now();
		expect((await limiter.admit("a", 1)).admitted).toBe(false);
		expect(Date.now() - started).toBeGreaterThanOrEqual(45);
		const controller = new AbortController();
		const abandoned = limiter.admit("a", 1, controller.signal);
		controller.abort();
		expect((await abandoned).admitted).toBe(false);
		running();
		// Nothing refused is counted as running.
		expect(limiter.inFlight("a")).toBe(0);
		const release = await admitNow(limiter, "a", 4);
		release();
		// Releasing twice gives back nothing extra.
		release();
		expect(limiter.inFlight("a")).toBe(0);
	});

	it("runs a request larger than the whole capacity alone", async () => {
		const limiter = createWorkLimiter({ capacity: 10, queueMs: 5_000 });
		const huge = await admitNow(limiter, "a", 700);
		const small = limiter.admit("a", 1);
		let settled = false;
		void small.then(() => {
			settled = true;
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(settled).toBe(false);
		huge();
		const admission = await small;
		expect(admission.admitted).toBe(true);
		if (admission.admitted) admission.release();
	});
});
