import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

describe("README", () => {
	it("shows examples/demo.ts verbatim, so the example the end-to-end test runs is the one people read", () => {
		const example = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(read("README.md"))?.[1];
		const demo = read("examples/demo.ts").replace(/^\/\*\*[\s\S]*?\*\/\n/, "");
		expect(example).toBe(demo);
	});
});
