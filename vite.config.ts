import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

// One config for the web client build (served by the relay and loaded by Electron from app://)
// and for vitest. The renderer is built with absolute asset paths because both hosts serve it
// from the origin root (http://host:port/ and app://skein/).
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // One bundle (React, ProseMirror, Yjs: ~1 MB) loaded from local disk or the local relay;
    // splitting it would only add requests.
    chunkSizeWarningLimit: 1200,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    // Builds first; then every process and temporary folder the tests leave behind fails the run.
    globalSetup: ['tests/helpers/global-setup.ts', 'tests/helpers/leak-check.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests start real servers and browsers; on a 2-core machine running
    // too many files at once only makes them time out.
    maxWorkers: 2,
  },
})
