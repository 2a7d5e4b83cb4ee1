import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { scopes, TenantRepository } from "@convolens/core";
import { z } from "zod";
import { AppError, describeZodError } from "../errors.ts";
import type { AuthThrottle } from "../http/auth-throttle.ts";
import { KiB, parseJsonObject, readBody, sendJson } from "../http/io.ts";
import type { Logger } from "../http/logger.ts";
import { type AppRuntime, runProgram } from "../runtime.ts";

/**
 * The admin API (contract §2.2): provisioning accounts and tokens. On only when `ADMIN_TOKEN` is set; otherwise every
 * admin route answers 404 as if it did not exist. The token is compared in constant time (over SHA-256 digests, so
 * a length difference does not short-circuit either).
 */

const ADMIN_BODY_LIMIT = 64 * KiB;

const limitField = z.number().int().min(0).nullable().optional();

/** PostgreSQL text cannot hold U+0000: refused as bad input rather than failing in storage. */
const withoutNul = (value: string) => !value.includes("\u0000");

export const createAccountInput = z.object({
	name: z
		.string()
		.trim()
		.min(1)
		.max(200)
		.refine(withoutNul, { error: "must not contain the NUL character" })
		.describe("Display name of the account"),
	limits: z
		.object({
			datasets: limitField,
			records: limitField,
			skillsets: limitField,
			abilities: limitField,
			files: limitField,
		})
		.optional()
		.describe("Plan limits; null or absent = unlimited"),
});

export const createTokenInput = z.object({
	name: z
		.string()
		.trim()
		.min(1)
		.max(200)
		.refine(withoutNul, { error: "must not contain the NUL character" })
		.optional(),
	scopes: z.array(z.enum(scopes)).min(1).optional().describe("Default: every scope"),
});

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export const adminTokenMatches = (expected: string, header: string | undefined): boolean => {
	const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
	const presented = match?.[1]?.trim() ?? "";
	return timingSafeEqual(digest(expected), digest(presented)) && presented.length > 0;
};

const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
	const result = schema.safeParse(body);
	if (result.success) return result.data;
	const { message, field } = describeZodError(result.error, { value: body });
	throw new AppError({ code: "BAD_REQUEST", message, tag: "InvalidInput", ...(field ? { field } : {}) });
};

const idSegment = "([A-Za-z0-9_-]{1,64})";
const tokensPath = new RegExp(`^/v1/admin/accounts/${idSegment}/tokens$`);
const revokePath = new RegExp(`^/v1/admin/tokens/${idSegment}/revoke$`);

export const isAdminPath = (path: string) => path === "/v1/admin" || path.startsWith("/v1/admin/");

export interface AdminRequest {
	readonly req: IncomingMessage;
	readonly res: ServerResponse;
	readonly method: string;
	readonly path: string;
	readonly runtime: AppRuntime;
	readonly adminToken: string | undefined;
	readonly signal?: AbortSignal;
	/** Failed admin tokens count against the client address, as failed tenant tokens do. */
	readonly authThrottle?: AuthThrottle | undefined;
	/** Every admin action is logged: what, on which account or token, from which address (never a token). */
	readonly logger?: Logger | undefined;
}

export const handleAdmin = async ({
	req,
	res,
	method,
	path,
	runtime,
	adminToken,
	signal,
	authThrottle,
	logger,
}: AdminRequest) => {
	if (adminToken === undefined || adminToken === "") {
		throw new AppError({ code: "NOT_FOUND", message: `No route for ${method} ${path}` });
	}
	const address = req.socket.remoteAddress ?? "unknown";
	const matches = async () => (adminTokenMatches(adminToken, req.headers.authorization) ? true : null);
	const authorized =
		req.headers.authorization === undefined ? null : await (authThrottle?.check(address, matches) ?? matches());
	if (authorized === null) {
		throw new AppError({ code: "NOT_AUTHENTICATED", message: "A valid admin token is required" });
	}
	const audit = (action: string, fields: Record<string, unknown>) =>
		logger?.info("admin action", { action, ...fields, address });
	const notFound = () => new AppError({ code: "NOT_FOUND", message: `No route for ${method} ${path}` });
	if (path === "/v1/admin/accounts") {
		if (method !== "POST") throw notFound();
		const input = parse(createAccountInput, parseJsonObject(await readBody(req, ADMIN_BODY_LIMIT)));
		const program = TenantRepository.use((tenants) =>
			tenants.createAccount(
				input.limits === undefined ? { name: input.name } : { name: input.name, limits: input.limits },
			),
		);
		const account = await runProgram(runtime, program, signal);
		audit("create-account", { accountId: account.id });
		sendJson(res, 201, account);
		return;
	}
	const tokens = tokensPath.exec(path);
	if (tokens !== null) {
		if (method !== "POST") throw notFound();
		const accountId = tokens[1] ?? "";
		const input = parse(createTokenInput, parseJsonObject(await readBody(req, ADMIN_BODY_LIMIT)));
		const program = TenantRepository.use((tenants) =>
			tenants.createToken(accountId, {
				...(input.name === undefined ? {} : { name: input.name }),
				...(input.scopes === undefined ? {} : { scopes: input.scopes }),
			}),
		);
		const token = await runProgram(runtime, program, signal);
		audit("create-token", { accountId, tokenId: token.id });
		sendJson(res, 201, token);
		return;
	}
	const revoke = revokePath.exec(path);
	if (revoke !== null) {
		if (method !== "POST") throw notFound();
		const tokenId = revoke[1] ?? "";
		await runProgram(
			runtime,
			TenantRepository.use((tenants) => tenants.revokeToken(tokenId)),
			signal,
		);
		audit("revoke-token", { tokenId });
		res.writeHead(204);
		res.end();
		return;
	}
	throw notFound();
};
