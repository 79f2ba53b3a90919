import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Most suites wait on real time (leases, long polls, emulators, child processes) rather than
    // on the CPU: three files at once on two cores keeps both busy. (The default is cores - 1.)
    maxWorkers: 3,
  },
});
