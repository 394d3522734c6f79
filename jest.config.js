/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
    "/node_modules/.+\\.js$": ["@swc/jest", { jsc: { parser: { syntax: "ecmascript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // openid-client and its dependencies are ES modules only, which Jest's CommonJS runtime
  // cannot require (Node itself can): swc compiles these few to CommonJS like the sources.
  transformIgnorePatterns: ["/node_modules/(?!(openid-client|oauth4webapi|jose)/)"],
  testTimeout: 30000,
  // One worker per core. Jest's default (cores - 1) runs the files one at a time on 2 cores, which
  // left one core idle most of the time (a file waits on its servers, its browser, its timers): two
  // workers took the suite from about 13 to about 6.5 minutes there, with 1.6 cores busy.
  maxWorkers: "100%",
  // Test files run in worker processes, each replaced once it holds more than this after a file.
  // Without it a worker's heap grows file after file until GC stalls the late tests and V8 aborts
  // near 4 GB.
  workerIdleMemoryLimit: "1GB",
  // Redis and Chromium for the tests that need them: REDIS_TEST_URL and CHROMIUM_PATH when set,
  // else a private redis-server and the machine's Chromium, installed with apt-get when root.
  globalSetup: "<rootDir>/test/setup/global-setup.ts",
  globalTeardown: "<rootDir>/test/setup/global-teardown.ts",
};
