import { call, startTestServer, type TestServer } from "@convolens/api/testing";

/** What `seedAccount` stores for an account, so tests can state the numbers the reports must find. */
export const seeded = {
	botId: "bot_support",
	userMessages: 2,
	botMessages: 1,
	tokens: 10 + 20 + 30,
	thumbsUp: 2,
	thumbsDown: 1,
	datasetId: "ds_faq",
	records: 3,
} as const;

/** One bot with a conversation, three messages, three ratings and a dataset, all created a minute ago. */
export async function seedAccount(server: TestServer, token: string): Promise<void> {
	const at = Date.now() - 60_000;
	const response = await call(server.baseUrl, "/api/v1/ingest", {
		token,
		body: {
			contacts: [{ id: "contact_ada", name: "Ada", createdAt: at }],
			bots: [{ id: seeded.botId, name: "Support", createdAt: at }],
			datasets: [{ id: seeded.datasetId, name: "FAQ", createdAt: at }],
			conversations: [{ id: "conv_1", botId: seeded.botId, contactId: "contact_ada", createdAt: at }],
			messages: [
				{ id: "msg_1", conversationId: "conv_1", type: "user", tokens: 10, createdAt: at },
				{ id: "msg_2", conversationId: "conv_1", type: "bot", tokens: 20, createdAt: at },
				{ id: "msg_3", conversationId: "conv_1", type: "user", tokens: 30, createdAt: at },
			],
			ratings: [
				{ id: "rating_1", value: 1, botId: seeded.botId, conversationId: "conv_1", createdAt: at },
				{ id: "rating_2", value: 80, botId: seeded.botId, conversationId: "conv_1", createdAt: at },
				{ id: "rating_3", value: -1, botId: seeded.botId, reason: "Wrong answer", createdAt: at },
			],
			records: [1, 2, 3].map((n) => ({ id: `record_${n}`, datasetId: seeded.datasetId, createdAt: at })),
		},
	});
	if (response.status !== 200 || (response.json.errors as ReadonlyArray<unknown>).length > 0) {
		throw new Error(`Seeding failed: ${response.status} ${response.text}`);
	}
}

export { call, startTestServer, type TestServer };
