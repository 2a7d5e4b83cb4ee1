export * from "./errors.ts";
export * from "./repositories.ts";
export * from "./rows.ts";
export * from "./tenancy.ts";
