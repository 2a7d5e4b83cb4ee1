/** What the test `globalSetup` hands to the workers (`inject(...)`). */
declare module "vitest" {
	export interface ProvidedContext {
		/** Server URL with a role allowed to create databases (its path names the maintenance database). */
		convolensTestServerUrl: string;
		/** A fully migrated database each test file clones. */
		convolensTestTemplate: string;
		/** The workers' URLs when the server is a Citus coordinator (see `cluster.ts`); empty otherwise. */
		convolensTestWorkers: ReadonlyArray<string>;
	}
}

export {};
