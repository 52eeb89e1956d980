import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the web chat driven in headless Chromium (Debian's `chromium`) by playwright-core.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
