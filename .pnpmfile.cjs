// Scalar's head manager (unhead) and its plugin helper list build tools as optional peers; pnpm links the
// workspace's vite to them, which would put vite in the server's production tree. The server only serves Scalar's
// prebuilt bundle, so those peers are dropped.
const withoutBuildPeers = new Set(["@unhead/vue", "@unhead/bundler", "unhead", "unplugin"]);

module.exports = {
	hooks: {
		readPackage(pkg) {
			if (withoutBuildPeers.has(pkg.name) && pkg.peerDependencies) {
				delete pkg.peerDependencies.vite;
				if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.vite;
			}
			return pkg;
		},
	},
};
