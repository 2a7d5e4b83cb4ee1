import { createHmac } from "node:crypto";

/**
 * `Convolens-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (contract §8.3): the time
 * lets a receiver refuse replays of old deliveries; the body is signed byte for byte as sent.
 */
export const signatureHeader = (secret: string, body: string, unixSeconds: number): string => {
	const digest = createHmac("sha256", secret).update(`${unixSeconds}.${body}`, "utf8").digest("hex");
	return `t=${unixSeconds},v1=${digest}`;
};
