import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`CHROMIUM_PATH` to use another). */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Starts the system's Chromium headless for the browser tests, or fails naming what to install: the tests need a
 * real browser and must fail, not skip, without one.
 */
export const launchChromium = (): Promise<Browser> => {
	if (!existsSync(chromiumPath)) {
		throw new Error(`Chromium is missing at ${chromiumPath}: install it with apt-get install chromium (.ci/run does)`);
	}
	return chromium.launch({
		executablePath: chromiumPath,
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
		],
	});
};
