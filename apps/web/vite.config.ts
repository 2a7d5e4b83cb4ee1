import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In `vite dev`, API calls go to the server named by CONVOLENS_API_URL (default the `npm start` one). */
const apiUrl = process.env.CONVOLENS_API_URL ?? "http://localhost:3000";

export default defineConfig({
	plugins: [react()],
	build: {
		outDir: "dist",
		emptyOutDir: true,
		assetsDir: "assets",
		// Everything ships from the api's origin: no inline data URLs to widen the content security policy for.
		assetsInlineLimit: 0,
	},
	server: {
		proxy: {
			"/trpc": apiUrl,
			"/api": apiUrl,
		},
	},
});
