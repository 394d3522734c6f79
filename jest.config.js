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
  // Test files run in a worker process that is replaced once it holds more than this after a
  // file. Without it, on 2 cores Jest runs every file in its own process (one worker), whose heap
  // grows file after file until GC stalls the late tests and V8 aborts near 4 GB.
  workerIdleMemoryLimit: "1GB",
  // Redis and Chromium for the tests that need them: REDIS_TEST_URL and CHROMIUM_PATH when set,
  // else a private redis-server and the machine's Chromium, installed with apt-get when root.
  globalSetup: "<rootDir>/test/setup/global-setup.ts",
  globalTeardown: "<rootDir>/test/setup/global-teardown.ts",
};
