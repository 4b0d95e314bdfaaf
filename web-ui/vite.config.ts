// Builds web-ui/src into web-ui/dist, which the box's fastify serves at "/" (appliance/http/static-ui.ts).
// Preact through the automatic JSX runtime; no plugin needed. `vite --config web-ui/vite.config.ts` serves
// the UI in development and forwards /api (HTTP and WebSocket) to a running box.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const box = process.env.BOX_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': { target: box, ws: true, changeOrigin: false } },
  },
});
