// Builds fleet-manager/console/src into fleet-manager/console/dist, which the fleet manager serves at "/"
// (fleet-manager/http/static.ts). `vite --config fleet-manager/console/vite.config.ts` serves it in
// development and forwards /api to a running fleet manager ($FLEET_CONSOLE_URL).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 100 },
  server: { proxy: { '/api': { target: process.env.FLEET_CONSOLE_URL ?? 'http://127.0.0.1:8443' } } },
});
