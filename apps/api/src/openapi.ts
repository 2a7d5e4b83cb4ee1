import {
	conversationsInput,
	eraseBodySchema,
	ingestCollections,
	itemSchemas,
	ReportIds,
	reports,
	statusOfCode,
} from "@convolens/core";
import { z } from "zod";
import { createAccountInput, createTokenInput } from "./rest/admin.ts";
import { csvFileName } from "./rest/csv.ts";
import { INGEST_BODY_LIMIT, REPORT_BODY_LIMIT } from "./rest/reports.ts";
import { listInput, MAX_BATCH_REPORTS, procedureNameById } from "./trpc/router.ts";
import { createWebhookInput, DELIVERY_LOG_LIMIT, MAX_WEBHOOKS_PER_ACCOUNT } from "./webhooks/registration.ts";

/**
 * The OpenAPI 3.1 description of the REST surface, generated from the same zod schemas the procedures validate
 * with (report inputs and outputs come from the registry), so the document cannot drift from the code.
 */

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 of a zod schema, without the `$schema` marker (OpenAPI 3.1 sets the dialect once). */
const schemaOf = (schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema => {
	const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
	return rest;
};

const stripDialect = (schema: JsonSchema): JsonSchema => {
	const { $schema: _dialect, ...rest } = schema;
	return rest;
};

const errorRef = { $ref: "#/components/schemas/Error" };

const errorResponse = (description: string) => ({
	description,
	content: { "application/json": { schema: errorRef } },
});

/** A `200` answering `{items: [...]}` of objects with `itemProperties`, and a `cursor` while more remain when `paged`. */
const itemsResponse = (description: string, itemProperties: Record<string, unknown>, paged = false) => ({
	description,
	content: {
		"application/json": {
			schema: {
				type: "object",
				required: ["items"],
				properties: {
					items: { type: "array", items: { type: "object", properties: itemProperties } },
					...(paged ? { cursor: { type: "string" } } : {}),
				},
			},
		},
	},
});

const commonErrors = {
	"401": errorResponse("Missing, unknown or revoked token (`NOT_AUTHENTICATED`)"),
	"403": errorResponse("The token lacks the required scope (`NOT_AUTHORIZED`)"),
	"429": errorResponse("Rate limit exceeded (`TOO_MANY_REQUESTS`); see `Retry-After`"),
	"503": errorResponse("Storage unavailable (`SERVICE_UNAVAILABLE`)"),
};

const timezoneHeader = {
	name: "X-Timezone",
	in: "header",
	required: false,
	description: "IANA timezone used when a report input has no `timezone` (default UTC)",
	schema: { type: "string", examples: ["Europe/Berlin"] },
};

/** The CSV form of a single report (contract §8.2). */
const csvContent = {
	schema: {
		type: "string",
		description:
			"RFC 4180, UTF-8 without a byte order mark, CRLF line ends, a header row. Rows: the buckets of the output's " +
			"`breakdown` arrays (bucket fields `label`, `date`, `start`, `end` first), else the items of its list, else one " +
			"row. Every other field is a column repeated on each row. Nested fields are dotted (`summary.totalAlerts`), " +
			'arrays of scalars are joined with "; ", other arrays are JSON, null is empty, and text starting with ' +
			"`=`, `+`, `-`, `@`, tab or CR is prefixed with `'`. Errors are JSON.",
	},
};

const csvDisposition = (reportName: string) => ({
	description: "With `Accept: text/csv`: `attachment` with the report's name as the file name",
	schema: { type: "string", examples: [`attachment; filename="${csvFileName(reportName)}"`] },
});

const procedureName = (reportId: string) => procedureNameById.get(reportId) ?? reportId;

/**
 * Example values by input field name. A report's example takes those of its input schema's properties, so a report
 * gains an example (with a `botId` or `datasetIds` where it needs one) without being listed here. The ids name
 * nothing in a fresh account: they answer the documented 404 there, and 200 once such a bot or dataset is ingested.
 */
const exampleFieldValues: Readonly<Record<string, unknown>> = {
	botId: "bot_support",
	datasetIds: ["dataset_faq"],
	periodDays: 7,
	timezone: "Europe/Berlin",
};

const reportExample = (inputSchema: JsonSchema): Record<string, unknown> => {
	const fields = Object.keys((inputSchema.properties ?? {}) as Record<string, unknown>);
	return Object.fromEntries(
		fields.filter((field) => field in exampleFieldValues).map((field) => [field, exampleFieldValues[field]]),
	);
};

/** An OpenAPI `examples` map with one named example. */
const example = (name: string, summary: string, value: unknown) => ({ [name]: { summary, value } });

/** The description of every tag an operation uses; `tags` at the top of the document is derived from it. */
const tagDescriptions: Readonly<Record<string, string>> = {
	Reports: "The report catalogue, batch generation and the conversations behind a chart point",
	"Report: contacts": "Reports on the contacts who talk to the bots",
	"Report: engagement": "Reports on conversation and message volume",
	"Report: performance": "Reports on how bots perform: answers, tokens, abilities",
	"Report: quality": "Reports on ratings, feedback and conversation quality",
	"Report: resources": "Reports on datasets, records, skillsets and files",
	Ingest: "Writing and erasing activity data",
	Webhooks: "Alert webhooks: registration and delivery log",
	Admin: "Provisioning accounts and tokens (only with `ADMIN_TOKEN`)",
};

export const buildOpenApiDocument = () => {
	const listParameters = Object.entries(
		(schemaOf(listInput).properties ?? {}) as Record<string, JsonSchema & { description?: string }>,
	).map(([name, schema]) => ({
		name,
		in: "query",
		required: false,
		...(schema.description === undefined ? {} : { description: schema.description }),
		schema,
	}));

	const reportListItem = {
		type: "object",
		required: ["id", "name", "description", "createdAt", "updatedAt", "meta"],
		properties: {
			id: { type: "string" },
			name: { type: "string" },
			description: { type: "string" },
			createdAt: { type: "integer", description: "Epoch milliseconds" },
			updatedAt: { type: "integer", description: "Epoch milliseconds" },
			meta: {
				type: "object",
				properties: {
					category: { type: "string" },
					inputSchema: { type: "object", description: "JSON Schema of the report input" },
					outputSchema: { type: "object", description: "JSON Schema of the report output" },
				},
			},
		},
	};

	const batchFailure = {
		type: "object",
		required: ["error", "code"],
		properties: { error: { type: "string" }, code: { type: "string" } },
	};

	const paths: Record<string, unknown> = {
		"/api/v1/platform/report/list": {
			get: {
				operationId: "listPlatformReports",
				summary: "List the report catalogue",
				description:
					"Paginated with `take`, `order` and `cursor` (the response carries `cursor` while more remain). " +
					'With `Accept: application/jsonl` the items stream as one `{"type":"item","data":{…}}` line each.',
				tags: ["Reports"],
				parameters: listParameters,
				responses: {
					"200": {
						description: "The reports",
						content: {
							"application/json": {
								schema: {
									type: "object",
									required: ["items"],
									properties: {
										items: { type: "array", items: { $ref: "#/components/schemas/ReportListItem" } },
										cursor: { type: "string" },
									},
								},
							},
							"application/jsonl": {
								schema: {
									type: "object",
									properties: {
										type: { const: "item" },
										data: { $ref: "#/components/schemas/ReportListItem" },
									},
								},
							},
						},
					},
					"400": errorResponse("Invalid `take`, `order` or `cursor`"),
					...commonErrors,
				},
			},
		},
		"/api/v1/platform/report/generate": {
			post: {
				operationId: "generatePlatformReports",
				summary: "Generate several reports at once",
				description:
					`A JSON object of report ID → input (at most ${MAX_BATCH_REPORTS} keys, ${REPORT_BODY_LIMIT / 1024} KiB). ` +
					"Reports run concurrently; each key of the response holds the report output or `{error, code}`, so one " +
					'failing report never fails the others. An unknown ID answers `{"error": "Report not found", "code": "NOT_FOUND"}`.\n\n' +
					"**Live form**: with `Accept: text/event-stream` the answer is a server-sent event stream: `event: result` " +
					"whose `data:` is the same JSON, first at once and then after each change to the account's data (at most " +
					"once a second), with a `: keep-alive` comment every 15 s, until the client disconnects. Refusals before " +
					"the first result (token, scope, a bad body, `429` past the account's open-watch limit) stay JSON errors. " +
					"tRPC: the subscription `reports.watch`.",
				tags: ["Reports"],
				parameters: [timezoneHeader],
				requestBody: {
					required: true,
					content: {
						"application/json": {
							schema: {
								type: "object",
								maxProperties: MAX_BATCH_REPORTS,
								properties: Object.fromEntries(
									reports.map((report) => [report.id, stripDialect(report.inputJsonSchema)]),
								),
							},
							examples: example(
								"twoReports",
								"Two reports over the last 7 days in Berlin time",
								Object.fromEntries(
									reports
										.filter((report) => report.id === ReportIds.TotalRatings || report.id === ReportIds.TotalMessages)
										.map((report) => [report.id, reportExample(report.inputJsonSchema)]),
								),
							),
						},
					},
				},
				responses: {
					"200": {
						description: "One entry per requested key",
						content: {
							"application/json": {
								schema: {
									type: "object",
									properties: Object.fromEntries(
										reports.map((report) => [
											report.id,
											{ oneOf: [stripDialect(report.outputJsonSchema), batchFailure] },
										]),
									),
									additionalProperties: batchFailure,
								},
							},
							"text/event-stream": {
								schema: {
									type: "string",
									description:
										"Server-sent events: `event: result` with `data:` the JSON object above, repeated after each change.",
								},
							},
						},
					},
					"400": errorResponse("Body is not a JSON object, or has more than 50 keys"),
					"413": errorResponse("Body over 256 KiB (`CONTENT_TOO_LARGE`)"),
					...commonErrors,
					"429": errorResponse(
						"Rate limit, the account's report work, or (live form) the account's open watches (20 by default) " +
							"exceeded (`TOO_MANY_REQUESTS`); see `Retry-After`",
					),
				},
			},
		},
	};

	for (const report of reports) {
		paths[`/api/v1/platform/report/${report.id}/generate`] = {
			post: {
				operationId: `generate${procedureName(report.id).replace(/^./, (c) => c.toUpperCase())}`,
				summary: report.name,
				description:
					`${report.description} Unknown input keys are ignored. With \`Accept: text/csv\` the answer is a CSV ` +
					`file. tRPC: \`reports.${procedureName(report.id)}\`.`,
				tags: [`Report: ${report.category}`],
				parameters: [timezoneHeader],
				requestBody: {
					required: true,
					content: {
						"application/json": {
							schema: stripDialect(report.inputJsonSchema),
							examples: example("lastWeek", "The last 7 days in Berlin time", reportExample(report.inputJsonSchema)),
						},
					},
				},
				responses: {
					"200": {
						description: "The report output; with `Accept: text/csv`, the same values as a CSV file",
						headers: { "Content-Disposition": csvDisposition(report.name) },
						content: {
							"application/json": { schema: stripDialect(report.outputJsonSchema) },
							"text/csv": csvContent,
						},
					},
					"400": errorResponse("Invalid input; the message names the field and its bound"),
					"404": errorResponse("The report, or a `botId`/dataset not in the caller's account (`NOT_FOUND`)"),
					"413": errorResponse("Body over 256 KiB (`CONTENT_TOO_LARGE`)"),
					...commonErrors,
				},
			},
		};
	}

	const ingestCounts = {
		type: "object",
		properties: Object.fromEntries(ingestCollections.map((collection) => [collection, { type: "integer" }])),
	};
	paths["/api/v1/ingest"] = {
		post: {
			operationId: "ingest",
			summary: "Store activity data (idempotent)",
			description:
				`Collections are applied in the order ${ingestCollections.join(", ")}. At most 10,000 items and ` +
				`${INGEST_BODY_LIMIT / 1024 / 1024} MiB. An id already stored counts as a duplicate; a bad item is rejected alone. ` +
				"Requires the `ingest:write` scope.",
			tags: ["Ingest"],
			requestBody: {
				required: true,
				content: {
					"application/json": {
						schema: {
							type: "object",
							properties: Object.fromEntries(
								ingestCollections.map((collection) => [
									collection,
									{ type: "array", items: schemaOf(itemSchemas[collection]) },
								]),
							),
						},
						examples: example("oneConversation", "A bot, one conversation with two messages and a thumbs up", {
							bots: [{ id: "bot_support", name: "Support bot", createdAt: "2026-01-05T09:00:00Z" }],
							conversations: [
								{ id: "conv_1001", botId: "bot_support", contactId: null, createdAt: "2026-01-05T09:30:00Z" },
							],
							messages: [
								{
									id: "msg_1",
									conversationId: "conv_1001",
									type: "user",
									tokens: 12,
									createdAt: "2026-01-05T09:30:00Z",
								},
								{
									id: "msg_2",
									conversationId: "conv_1001",
									type: "bot",
									tokens: 85,
									createdAt: "2026-01-05T09:30:04Z",
								},
							],
							ratings: [
								{ id: "rating_1", value: 1, botId: "bot_support", conversationId: "conv_1001", messageId: "msg_2" },
							],
						}),
					},
				},
			},
			responses: {
				"200": {
					description: "Counts per collection and the rejected items",
					content: {
						"application/json": {
							schema: {
								type: "object",
								properties: {
									inserted: ingestCounts,
									duplicates: ingestCounts,
									errors: {
										type: "array",
										items: {
											type: "object",
											properties: {
												collection: { type: "string" },
												index: { type: "integer" },
												id: { type: ["string", "null"] },
												code: { type: "string" },
												message: { type: "string" },
											},
										},
									},
								},
							},
						},
					},
				},
				"400": errorResponse("Not a JSON object, an unknown collection, or more than 10,000 items"),
				"413": errorResponse("Body over 10 MiB"),
				...commonErrors,
			},
		},
	};
	paths["/api/v1/ingest/delete"] = {
		post: {
			operationId: "ingestDelete",
			summary: "Erase items and everything hanging off them",
			tags: ["Ingest"],
			requestBody: {
				required: true,
				content: {
					"application/json": {
						schema: schemaOf(eraseBodySchema),
						examples: example("oneConversation", "Erase a conversation with its messages and ratings", {
							conversations: ["conv_1001"],
						}),
					},
				},
			},
			responses: {
				"200": {
					description: "How many of the named ids existed and were erased",
					content: { "application/json": { schema: { type: "object", properties: { deleted: ingestCounts } } } },
				},
				"400": errorResponse("Invalid body"),
				...commonErrors,
			},
		},
	};

	const conversationParameterExamples: Readonly<Record<string, unknown>> = {
		start: "2026-01-05T00:00:00+01:00",
		end: "2026-01-06T00:00:00+01:00",
		rating: "down",
	};
	const conversationFields = (schemaOf(conversationsInput) as { properties: Record<string, Record<string, unknown>> })
		.properties;
	paths["/api/v1/conversations"] = {
		get: {
			operationId: "listConversations",
			summary: "The conversations behind a chart point (drill-down)",
			description:
				"Conversations created in `[start, end)`, newest first, with their message counts, tokens and thumbs; " +
				"`cursor` (present while more remain) asks for the next page. Pages are keyset pages over (createdAt, id) " +
				"descending: conversations ingested meanwhile never shift a page, none is listed twice, and none that " +
				"existed at the first page is skipped. Requires the `reports:read` scope.",
			tags: ["Reports"],
			parameters: Object.entries(conversationFields).map(([name, schema]) => ({
				name,
				in: "query",
				required: name === "start" || name === "end",
				description: schema.description,
				schema: { ...schema, description: undefined },
				...(name in conversationParameterExamples ? { example: conversationParameterExamples[name] } : {}),
			})),
			responses: {
				"200": itemsResponse(
					"One page of conversations",
					{
						id: { type: "string" },
						botId: { type: ["string", "null"] },
						contactId: { type: ["string", "null"] },
						createdAt: { type: "string", format: "date-time" },
						userMessages: { type: "integer" },
						botMessages: { type: "integer" },
						activityMessages: { type: "integer" },
						tokens: { type: "integer" },
						thumbsUp: { type: "integer" },
						thumbsDown: { type: "integer" },
					},
					true,
				),
				"400": errorResponse("A missing or invalid field, named in the message"),
				...commonErrors,
			},
		},
	};

	const webhookIdParameter = {
		name: "webhookId",
		in: "path",
		required: true,
		description: "The id `POST /api/v1/webhooks` answered",
		schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
	};
	const webhookFields = {
		id: { type: "string" },
		url: { type: "string", format: "uri" },
		createdAt: { type: "integer", description: "Epoch milliseconds" },
	};
	paths["/api/v1/webhooks"] = {
		post: {
			operationId: "createWebhook",
			summary: "Register an alert webhook",
			description:
				"After each ingest (coalesced per account, within 5 s) and every 5 minutes, the account's Alerts and each " +
				"bot's Bot Alerts are computed with their default inputs; each alert raised now and not at the previous " +
				'evaluation is POSTed once to every webhook of the account as JSON `{id, type: "alert.raised", accountId, ' +
				"createdAt, reportId, botId?, alert}` with `Convolens-Delivery: <id>` and `Convolens-Signature: " +
				't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. A non-2xx answer or none within 10 s ' +
				"is retried with exponential backoff for 24 hours. The URL must be http(s) and its host must resolve only " +
				"to public addresses (loopback, private, link-local and metadata ranges are refused unless the server " +
				`runs with WEBHOOK_ALLOW_PRIVATE=true). At most ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks per account. ` +
				"Requires the `webhooks:write` scope.",
			tags: ["Webhooks"],
			requestBody: {
				required: true,
				content: {
					"application/json": {
						schema: schemaOf(createWebhookInput),
						examples: example("receiver", "Your HTTPS endpoint that receives alert.raised events", {
							url: "https://hooks.example.com/convolens",
						}),
					},
				},
			},
			responses: {
				"201": {
					description: "The webhook; `secret` is shown only here",
					content: {
						"application/json": {
							schema: {
								type: "object",
								required: ["id", "url", "secret", "createdAt"],
								properties: { ...webhookFields, secret: { type: "string" } },
							},
						},
					},
				},
				"400": errorResponse("Not an http(s) URL, or its host resolves to a refused address"),
				"422": errorResponse(`The account already has ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks`),
				...commonErrors,
			},
		},
		get: {
			operationId: "listWebhooks",
			summary: "The account's webhooks (without their secrets)",
			tags: ["Webhooks"],
			responses: {
				"200": itemsResponse("Oldest first", webhookFields),
				...commonErrors,
			},
		},
	};
	paths["/api/v1/webhooks/{webhookId}"] = {
		delete: {
			operationId: "deleteWebhook",
			summary: "Delete a webhook and its delivery log",
			tags: ["Webhooks"],
			parameters: [webhookIdParameter],
			responses: {
				"204": { description: "Deleted" },
				"400": errorResponse("Malformed id"),
				"404": errorResponse("No such webhook in the account"),
				...commonErrors,
			},
		},
	};
	paths["/api/v1/webhooks/{webhookId}/deliveries"] = {
		get: {
			operationId: "listWebhookDeliveries",
			summary: "The webhook's delivery log",
			description: `The ${DELIVERY_LOG_LIMIT} newest deliveries, newest first.`,
			tags: ["Webhooks"],
			parameters: [webhookIdParameter],
			responses: {
				"200": itemsResponse("Deliveries, newest first", {
					id: { type: "string", description: "Also the event's `id` and `Convolens-Delivery`" },
					event: { type: "string", enum: ["alert.raised"] },
					status: { type: "string", enum: ["pending", "delivered", "failed"] },
					attempts: { type: "integer" },
					lastError: { type: ["string", "null"] },
					createdAt: { type: "integer", description: "Epoch milliseconds" },
					deliveredAt: { type: ["integer", "null"], description: "Epoch milliseconds" },
				}),
				"400": errorResponse("Malformed id"),
				"404": errorResponse("No such webhook in the account"),
				...commonErrors,
			},
		},
	};

	const adminSecurity = [{ adminToken: [] }];
	paths["/api/v1/admin/accounts"] = {
		post: {
			operationId: "adminCreateAccount",
			summary: "Create an account and its first token (every scope)",
			description: "Only when the server runs with `ADMIN_TOKEN`; otherwise 404.",
			tags: ["Admin"],
			security: adminSecurity,
			requestBody: {
				required: true,
				content: {
					"application/json": {
						schema: schemaOf(createAccountInput),
						examples: example("withLimits", "An account limited to 10 datasets", {
							name: "Acme Support",
							limits: { datasets: 10 },
						}),
					},
				},
			},
			responses: {
				"201": {
					description: "The account; `token` is shown only here",
					content: {
						"application/json": {
							schema: {
								type: "object",
								properties: { id: { type: "string" }, name: { type: "string" }, token: { type: "string" } },
							},
						},
					},
				},
				"400": errorResponse("Invalid body"),
				"401": errorResponse("Wrong admin token"),
			},
		},
	};
	paths["/api/v1/admin/accounts/{accountId}/tokens"] = {
		post: {
			operationId: "adminCreateToken",
			summary: "Create a token for an account",
			tags: ["Admin"],
			security: adminSecurity,
			parameters: [{ name: "accountId", in: "path", required: true, schema: { type: "string" } }],
			requestBody: {
				required: false,
				content: {
					"application/json": {
						schema: schemaOf(createTokenInput),
						examples: example("readOnly", "A token that can only read reports", {
							name: "dashboard",
							scopes: ["reports:read"],
						}),
					},
				},
			},
			responses: {
				"201": {
					description: "The token; shown only here",
					content: {
						"application/json": {
							schema: { type: "object", properties: { id: { type: "string" }, token: { type: "string" } } },
						},
					},
				},
				"400": errorResponse("Invalid body"),
				"401": errorResponse("Wrong admin token"),
				"404": errorResponse("No such account"),
			},
		},
	};
	paths["/api/v1/admin/tokens/{tokenId}/revoke"] = {
		post: {
			operationId: "adminRevokeToken",
			summary: "Revoke a token",
			tags: ["Admin"],
			security: adminSecurity,
			parameters: [{ name: "tokenId", in: "path", required: true, schema: { type: "string" } }],
			responses: {
				"204": { description: "Revoked" },
				"401": errorResponse("Wrong admin token"),
				"404": errorResponse("No such token"),
			},
		},
	};

	return {
		openapi: "3.1.0",
		jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
		info: {
			title: "Convolens API",
			version: "1.0.0",
			description:
				"Analytics reports for conversational-AI platforms. Every path is also served without the `/api` prefix. " +
				"Every non-2xx response is `{message, code}`. The typed tRPC router is served at `/trpc`.",
		},
		servers: [{ url: "/" }],
		security: [{ bearerAuth: [] }],
		tags: declaredTags(paths),
		paths,
		components: {
			securitySchemes: {
				bearerAuth: { type: "http", scheme: "bearer", description: "An API token of the account" },
				adminToken: { type: "http", scheme: "bearer", description: "The server's ADMIN_TOKEN" },
			},
			schemas: {
				Error: {
					type: "object",
					required: ["message", "code"],
					properties: {
						message: { type: "string" },
						code: { type: "string", enum: Object.keys(statusOfCode) },
					},
				},
				ReportListItem: reportListItem,
			},
		},
	};
};

/** Every tag the operations use, in order of first use, each with its description. */
const declaredTags = (paths: Record<string, unknown>) => {
	const used = new Set<string>();
	for (const methods of Object.values(paths as Record<string, Record<string, { tags?: ReadonlyArray<string> }>>)) {
		for (const operation of Object.values(methods)) for (const tag of operation.tags ?? []) used.add(tag);
	}
	return [...used].map((name) => {
		const description = tagDescriptions[name];
		// A new tag (a new report category) must be described here, or the document would be incomplete.
		if (description === undefined) throw new Error(`The OpenAPI tag "${name}" has no description`);
		return { name, description };
	});
};

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
