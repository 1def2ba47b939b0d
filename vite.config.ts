import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

/** What every test project shares (projects are declared without `extends`, so as not to inherit `globalSetup`). */
const common = {
  root: '.',
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 60_000,
} as const

/** Every e2e file with two devices (`twoDevicesPerFile` or `startTwoDevices`), the chaos suite among them. */
const CLUSTER_E2E = [
  'tests/e2e/bulk-import-truth.test.ts',
  'tests/e2e/chaos.test.ts',
  'tests/e2e/import-export.test.ts',
  'tests/e2e/live-coedit.test.ts',
  'tests/e2e/offline-reconnect.test.ts',
  'tests/e2e/presence-history.test.ts',
  'tests/e2e/search.test.ts',
  'tests/e2e/trash-across-devices.test.ts',
  'tests/e2e/undo-own-changes.test.ts',
]

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
    // Builds first; then every process and temporary folder the tests leave behind fails the run.
    // Set here only: a project that inherited it (`extends: true`) would run it again.
    globalSetup: ['tests/helpers/global-setup.ts', 'tests/helpers/leak-check.ts'],
    // Integration and e2e tests start real servers and browsers; on a 2-core machine running
    // too many files at once only makes them time out.
    maxWorkers: 2,
    projects: [
      { plugins: [react()], test: { ...common, name: 'default', include: ['tests/**/*.test.ts'] } },
      // The two-device e2e files again, each device on its own relay of a cluster (two relay
      // processes on one PostgreSQL and one Redis): tests/e2e/relay-fixture.ts reads the variable.
      { plugins: [react()], test: { ...common, name: 'e2e-cluster', include: CLUSTER_E2E, env: { SKEIN_E2E_RELAYS: 'cluster' } } },
    ],
  },
})
