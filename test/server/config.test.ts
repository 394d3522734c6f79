import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig, readEnvironment } from "../../src/config";

const ROOT = resolve(__dirname, "../..");
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "ai-learning-config-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const STRONG_SECRET = "s".repeat(32);

describe("loadConfig", () => {
  it("gives the documented defaults with no environment", () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      env: "development",
      isProduction: false,
      port: 8000,
      database: { url: undefined, name: "ai_learning_platform", inMemory: false },
      jwt: { algorithm: "HS256", accessTokenExpireMinutes: 30, refreshTokenExpireDays: 7 },
      uploads: { maxFileSize: 10 * 1024 * 1024, allowedExtensions: ["pdf", "docx", "txt"] },
      log: { level: "info" },
      allowedOrigins: ["*"],
      rateLimit: { requests: 100, windowSeconds: 60 },
      graphql: { introspection: true },
    });
  });

  it("names the variable of a bad value", () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: "eighty" })).toThrow(
      new ConfigError('Invalid configuration: PORT must be a whole number from 0 to 65535 (got "eighty")'),
    );
    expect(() => loadConfig({ DATA_DIR: dataDir, MONGODB_URL: "postgres://x" })).toThrow(/MONGODB_URL/);
    expect(() => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_IN_MEMORY: "maybe" })).toThrow(/DATABASE_IN_MEMORY/);
  });

  it("lists every bad variable on one line", () => {
    let message = "";
    try {
      loadConfig({ DATA_DIR: dataDir, PORT: "-1", RATE_LIMIT_WINDOW: "0" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORT .*; RATE_LIMIT_WINDOW /);
    expect(message).not.toContain("\n");
  });

  it("names every problem of one start at once: malformed values and the rules between variables", () => {
    let message = "";
    try {
      loadConfig({ DATA_DIR: dataDir, NODE_ENV: "production", PORT: "eighty", ADMIN_EMAIL: "admin@example.com", AI_PROVIDER: "gemini" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.startsWith("Invalid configuration: ")).toBe(true);
    for (const variable of ["PORT must", "JWT_SECRET_KEY must", "MONGODB_URL must", "ADMIN_EMAIL and ADMIN_PASSWORD", "AI_PROVIDER=gemini needs"]) {
      expect(message).toContain(variable);
    }
    expect(message).not.toContain("\n");
  });

  it("does not repeat a malformed variable as a broken rule", () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, NODE_ENV: "production", JWT_SECRET_KEY: STRONG_SECRET, MONGODB_URL: "postgres://x" })).toThrow(
      /^Invalid configuration: MONGODB_URL [^;]*$/,
    );
  });

  it("listens on 127.0.0.1 outside production and on every interface in production, unless HOST says otherwise", () => {
    expect(loadConfig({ DATA_DIR: dataDir }).host).toBe("127.0.0.1");
    expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: "production", JWT_SECRET_KEY: STRONG_SECRET, MONGODB_URL: "mongodb://db" }).host).toBe("0.0.0.0");
    expect(loadConfig({ DATA_DIR: dataDir, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });

  it("accepts the seed's forms: JSON arrays, Python log levels, empty values as unset", () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      ALLOWED_ORIGINS: '["http://localhost:3000", "https://app.example.com"]',
      ALLOWED_EXTENSIONS: ".PDF, txt",
      LOG_LEVEL: "WARNING",
      GOOGLE_API_KEY: "",
    });
    expect(config.allowedOrigins).toEqual(["http://localhost:3000", "https://app.example.com"]);
    expect(config.uploads.allowedExtensions).toEqual(["pdf", "txt"]);
    expect(config.log.level).toBe("warn");
    expect(config.ai.googleApiKey).toBeUndefined();
  });

  it("reads TRUST_PROXY as a switch, a hop count or a list of proxies", () => {
    const trustProxy = (value?: string) => loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: value }).trustProxy;
    expect([trustProxy(), trustProxy("false"), trustProxy("true"), trustProxy("2")]).toEqual([false, false, true, 2]);
    expect(trustProxy("loopback, 10.0.0.0/8")).toBe("loopback, 10.0.0.0/8");
  });

  it("in production, requires a strong JWT_SECRET_KEY and MONGODB_URL", () => {
    const production = { NODE_ENV: "production", DATA_DIR: dataDir, MONGODB_URL: "mongodb://db:27017" };
    expect(() => loadConfig({ ...production })).toThrow(/JWT_SECRET_KEY must be at least 32 characters/);
    expect(() => loadConfig({ ...production, JWT_SECRET_KEY: "short" })).toThrow(/JWT_SECRET_KEY .*\(got 5\)/);
    expect(() => loadConfig({ ...production, JWT_SECRET_KEY: STRONG_SECRET, MONGODB_URL: undefined })).toThrow(
      /MONGODB_URL must be set in production/,
    );
    const config = loadConfig({ ...production, JWT_SECRET_KEY: STRONG_SECRET });
    expect(config).toMatchObject({ isProduction: true, allowedOrigins: [], graphql: { introspection: false } });
  });

  it("in development, generates a secret once and keeps it private in DATA_DIR", () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.jwt.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(second.jwt.secretKey).toBe(first.jwt.secretKey);
    expect(first.jwt.secretFile).toBe(join(dataDir, "jwt-secret"));
    expect(statSync(join(dataDir, "jwt-secret")).mode & 0o777).toBe(0o600);
    const given = loadConfig({ DATA_DIR: dataDir, JWT_SECRET_KEY: "given" }).jwt;
    expect([given.secretKey, given.secretFile]).toEqual(["given", undefined]);
  });
});

describe("readEnvironment", () => {
  it("reads .env under the real environment", () => {
    const envFile = join(dataDir, ".env");
    writeFileSync(envFile, "PORT=9100\nDATABASE_NAME=from_dotenv\n");
    process.env.DATABASE_NAME = "from_process";
    try {
      const env = readEnvironment(envFile);
      expect(env.PORT).toBe("9100");
      expect(env.DATABASE_NAME).toBe("from_process");
      expect(process.env.PORT).not.toBe("9100");
    } finally {
      delete process.env.DATABASE_NAME;
    }
  });
});

describe("npm start with a bad value", () => {
  it("exits 1 with one line naming the variable", () => {
    const result = spawnSync(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "not-a-port" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Invalid configuration: PORT must be a whole number from 0 to 65535 (got "not-a-port")');
  });
});
