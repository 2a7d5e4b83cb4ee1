import type { OpenApiDocument } from "./openapi.ts";

/**
 * The API reference pages, both rendered from the OpenAPI document and both offline (nothing from another host):
 * - the static reference (`/docs/static`): no scripts, inline styles only, under a strict Content-Security-Policy;
 * - the interactive reference (`/docs`): Scalar's standalone bundle served from this package, with the static
 *   reference inside `<noscript>` for a browser without JavaScript.
 */

const escapeHtml = (value: string) =>
	value
		.replaceAll("&", "&amp;")
		.replaceAll("<", "&lt;")
		.replaceAll(">", "&gt;")
		.replaceAll('"', "&quot;")
		.replaceAll("'", "&#39;");

/** Inline `code` spans of the descriptions, everything else escaped. */
const prose = (text: string) =>
	escapeHtml(text).replace(/`([^`]+)`/g, (_match, code: string) => `<code>${code}</code>`);

interface Operation {
	readonly operationId?: string;
	readonly summary?: string;
	readonly description?: string;
	readonly tags?: ReadonlyArray<string>;
	readonly parameters?: ReadonlyArray<{ name: string; in: string; description?: string; required?: boolean }>;
	readonly requestBody?: { content: Record<string, { schema: unknown }> };
	readonly responses?: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

const schemaBlock = (title: string, schema: unknown) =>
	`<details><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;

const renderOperation = (method: string, path: string, operation: Operation) => {
	const anchor = operation.operationId ?? `${method}-${path}`;
	const parameters = (operation.parameters ?? [])
		.map(
			(parameter) =>
				`<li><code>${escapeHtml(parameter.name)}</code> (${escapeHtml(parameter.in)}${parameter.required ? ", required" : ""})${
					parameter.description ? ` — ${prose(parameter.description)}` : ""
				}</li>`,
		)
		.join("");
	const body = operation.requestBody?.content["application/json"];
	const responses = Object.entries(operation.responses ?? {})
		.map(([status, response]) => {
			const json = response.content?.["application/json"];
			return `<li><strong>${escapeHtml(status)}</strong> ${prose(response.description)}${
				json !== undefined && status.startsWith("2") ? schemaBlock("schema", json.schema) : ""
			}</li>`;
		})
		.join("");
	return `<section class="op" id="${escapeHtml(anchor)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
${operation.summary ? `<p class="summary">${prose(operation.summary)}</p>` : ""}
${operation.description ? `<p>${prose(operation.description)}</p>` : ""}
${parameters ? `<h4>Parameters</h4><ul>${parameters}</ul>` : ""}
${body ? `<h4>Request body</h4>${schemaBlock("JSON schema", body.schema)}` : ""}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
};

/** The static reference's stylesheet and body content, shared by both pages. */
const renderStaticParts = (document: OpenApiDocument) => {
	const groups = new Map<string, Array<string>>();
	const toc: Array<string> = [];
	for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
		for (const [method, operation] of Object.entries(methods)) {
			const tag = operation.tags?.[0] ?? "Other";
			const list = groups.get(tag) ?? [];
			list.push(renderOperation(method, path, operation));
			groups.set(tag, list);
			toc.push(
				`<li><a href="#${escapeHtml(operation.operationId ?? `${method}-${path}`)}">${escapeHtml(operation.summary ?? path)}</a></li>`,
			);
		}
	}
	const sections = [...groups.entries()]
		.map(([tag, operations]) => `<h2>${escapeHtml(tag)}</h2>${operations.join("\n")}`)
		.join("\n");
	const style = `<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:1.5rem 2rem}
header p{margin:.25rem 0 0;color:#c9d1e0}
main{display:grid;grid-template-columns:18rem 1fr;gap:2rem;padding:1.5rem 2rem;max-width:80rem}
nav ul{list-style:none;padding:0;margin:0;font-size:13px}nav li{margin:.2rem 0}
nav{position:sticky;top:1rem;align-self:start;max-height:95vh;overflow:auto}
a{color:#2456c7;text-decoration:none}
.op{background:#fff;border:1px solid #e3e7ee;border-radius:8px;padding:.5rem 1.25rem;margin:1rem 0}
.method{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.method.get{background:#1f8a4c}.method.post{background:#2456c7}
code{background:#eef1f6;border-radius:3px;padding:0 3px;font-size:13px}
pre{background:#f4f6fa;padding:.75rem;border-radius:6px;overflow:auto;font-size:12px;max-height:30rem}
h4{margin:.75rem 0 .25rem}.summary{font-weight:600}
</style>`;
	const body = `<header><h1>${escapeHtml(document.info.title)}</h1><p>${prose(document.info.description)}</p>
<p>Machine-readable: <a style="color:#9fc1ff" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)})</p></header>
<main><nav><ul>${toc.join("")}</ul></nav><div>
<h2>Authentication</h2><p>Send <code>Authorization: Bearer &lt;token&gt;</code>. Errors are <code>{"message", "code"}</code> with codes ${Object.values(
		(document.components.schemas.Error.properties.code as { enum: ReadonlyArray<string> }).enum,
	)
		.map((code) => `<code>${escapeHtml(code)}</code>`)
		.join(", ")}.</p>
${sections}
</div></main>`;
	return { style, body };
};

/** A reference page: the shared head (charset, viewport, title), then `head` and `body` as given. */
const page = (document: OpenApiDocument, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} — API reference</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;

/** The static reference page: no JavaScript at all. */
export const renderDocsPage = (document: OpenApiDocument): string => {
	const { style, body } = renderStaticParts(document);
	return page(document, style, body);
};

/**
 * Scalar's configuration: the document from this server, no web fonts, no telemetry, no hosted agent, no proxy (the
 * "Test request" client then calls this origin directly, as the document's only server is `/`).
 */
const referenceConfiguration = {
	url: "/api/v1/openapi.json",
	withDefaultFonts: false,
	telemetry: false,
	showDeveloperTools: "never",
	hideDarkModeToggle: false,
	documentDownloadType: "json",
	// "Ask AI" talks to Scalar's hosted agent: off, as nothing may leave this origin.
	agent: { disabled: true },
	// The sidebar opens every tag, so each operation is one click away.
	defaultOpenAllTags: true,
} as const;

/** JSON safe inside a `<script type="application/json">` block. */
const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll("<", "\\u003c");

/**
 * The interactive reference page. Both scripts are files of this origin (`script-src 'self'`): the bundle, then
 * `reference.js`, which mounts it with the configuration carried in a JSON data block (never executed).
 */
export const renderReferencePage = (document: OpenApiDocument, scripts: { bundle: string; mount: string }): string => {
	const { style, body } = renderStaticParts(document);
	return page(
		document,
		'<link rel="icon" href="data:,">',
		`<noscript>${style}${body}</noscript>
<div id="reference"></div>
<script type="application/json" id="reference-config">${scriptJson(referenceConfiguration)}</script>
<script src="${escapeHtml(scripts.bundle)}"></script>
<script src="${escapeHtml(scripts.mount)}"></script>`,
	);
};

/** Mounts Scalar (loaded before it as `window.Scalar`) with the page's configuration block. */
export const mountScript = `"use strict";
const configuration = JSON.parse(document.getElementById("reference-config").textContent);
window.Scalar.createApiReference("#reference", configuration);
`;
