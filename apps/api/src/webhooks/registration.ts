import { z } from "zod";
import { AppError, describeZodError } from "../errors.ts";
import { RefusedAddress, resolveAllowed } from "./address-guard.ts";

/** The most webhooks one account may register. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 10;
/** How many deliveries the log answers, newest first. */
export const DELIVERY_LOG_LIMIT = 100;
const MAX_URL_LENGTH = 2_048;

export const createWebhookInput = z.object({
	url: z.string().max(MAX_URL_LENGTH).describe("http(s) URL that receives the signed POSTs"),
});

const webhookIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

const badRequest = (message: string, field: string) =>
	new AppError({ code: "BAD_REQUEST", message: `${field}: ${message}`, tag: "InvalidInput", field });

export const parseCreateWebhook = (raw: unknown): { url: string } => {
	const result = createWebhookInput.safeParse(raw);
	if (result.success) return result.data;
	const { message, field } = describeZodError(result.error);
	throw new AppError({ code: "BAD_REQUEST", message, tag: "InvalidInput", ...(field ? { field } : {}) });
};

/** A webhook id from a path or an input: 1–64 characters of `[A-Za-z0-9_-]`, else 400. */
export const parseWebhookId = (raw: unknown): string => {
	if (typeof raw !== "string" || !webhookIdPattern.test(raw)) {
		throw badRequest("must be 1–64 characters of A–Z, a–z, 0–9, _ and -", "id");
	}
	return raw;
};

/**
 * A webhook URL as it will be stored: absolute `http(s)`, no credentials, and a host whose every address may be
 * reached (see `address-guard.ts`) unless private addresses are allowed. Refusals are 400 naming `url`.
 */
export const checkWebhookUrl = async (raw: string, allowPrivate: boolean): Promise<string> => {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw badRequest("must be an absolute http or https URL", "url");
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest("must use http or https", "url");
	if (url.username !== "" || url.password !== "") throw badRequest("must not carry credentials", "url");
	try {
		await resolveAllowed(url.hostname, allowPrivate);
	} catch (error) {
		if (error instanceof RefusedAddress) throw badRequest(error.message, "url");
		throw error;
	}
	return url.href;
};
