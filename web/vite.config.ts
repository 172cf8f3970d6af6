// Vite builds the console into static files served under /console/ by `ogi serve` (docs/CONSOLE.md).
// `npm run dev` proxies the API to an `ogi serve` on 127.0.0.1:7780.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:7780',
      '/console/api': 'http://127.0.0.1:7780',
    },
  },
});
