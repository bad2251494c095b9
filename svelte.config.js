import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    adapter: adapter({ out: 'build' }),
    // Form actions keep SvelteKit's origin check; ORIGIN (or PROTOCOL_HEADER) tells it the public URL.
    csrf: { trustedOrigins: [] },
  },
};
