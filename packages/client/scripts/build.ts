/**
 * `dist/`: ESM JavaScript and declarations of `src/`, built from a clean directory so no stale module ships.
 *
 * `rewriteRelativeImportExtensions` turns `./x.ts` into `./x.js` in the JavaScript only; the declarations keep
 * `.ts`, which older TypeScript versions and some resolvers do not map to `.d.ts`, so they are rewritten here too.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = join(packageDir, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(distDir, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: packageDir, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

const relativeTsSpecifier = /(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g;
for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
	if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
	const path = join(entry.parentPath, entry.name);
	const source = readFileSync(path, "utf8");
	const rewritten = source.replace(relativeTsSpecifier, "$1$2$3.js$2");
	if (rewritten !== source) writeFileSync(path, rewritten);
}
