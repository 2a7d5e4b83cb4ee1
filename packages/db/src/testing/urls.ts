/** The same server URL pointing at another database. */
export const databaseUrl = (serverUrl: string, database: string) => {
	const url = new URL(serverUrl);
	url.pathname = `/${database}`;
	return url.toString();
};
