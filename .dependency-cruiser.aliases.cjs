// SvelteKit's $lib alias, for dependency-cruiser's resolver (SvelteKit keeps it in a generated tsconfig that the
// resolver cannot read).
module.exports = { resolve: { alias: { $lib: require('node:path').resolve(__dirname, 'src/lib') } } };
