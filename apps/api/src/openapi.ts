import {
	conversationsInput,
	eraseBodySchema,
	ingestCollections,
	itemSchemas,
	reports,
	statusOfCode,
} from "@convolens/core";
import { z } from "zod";
import { createAccountInput, createTokenInput } from "./rest/admin.ts";
import { csvFileName } from "./rest/csv.ts";
import { INGEST_BODY_LIMIT, REPORT_BODY_LIMIT } from "./rest/reports.ts";
import { listInput, MAX_BATCH_REPORTS, procedureNameById } from "./trpc/router.ts";

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
					content: { "application/json": { schema: stripDialect(report.inputJsonSchema) } },
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
			requestBody: { required: true, content: { "application/json": { schema: schemaOf(eraseBodySchema) } } },
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
			})),
			responses: {
				"200": {
					description: "One page of conversations",
					content: {
						"application/json": {
							schema: {
								type: "object",
								required: ["items"],
								properties: {
									items: {
										type: "array",
										items: {
											type: "object",
											properties: {
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
										},
									},
									cursor: { type: "string" },
								},
							},
						},
					},
				},
				"400": errorResponse("A missing or invalid field, named in the message"),
				...commonErrors,
			},
		},
	};

	const adminSecurity = [{ adminToken: [] }];
	paths["/api/v1/admin/accounts"] = {
		post: {
			operationId: "adminCreateAccount",
			summary: "Create an account and its first token (both scopes)",
			description: "Only when the server runs with `ADMIN_TOKEN`; otherwise 404.",
			tags: ["Admin"],
			security: adminSecurity,
			requestBody: { required: true, content: { "application/json": { schema: schemaOf(createAccountInput) } } },
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
			requestBody: { required: false, content: { "application/json": { schema: schemaOf(createTokenInput) } } },
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
		tags: [
			{ name: "Reports", description: "The report catalogue and batch generation" },
			{ name: "Ingest", description: "Writing activity data" },
			{ name: "Admin", description: "Provisioning accounts and tokens" },
		],
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

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
