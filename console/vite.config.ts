import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web console, served by Gatehouse at /console (see src/console/serve.ts). `npm run build`
 * writes console/dist; `npx vite console` runs a dev server that proxies /graphql (HTTP and
 * graphql-ws) to a Gatehouse on 127.0.0.1:4000.
 */
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ are served as immutable; index.html is not cached.
    assetsDir: 'assets',
    sourcemap: false,
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
