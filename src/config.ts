import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import dotenv from "dotenv";
import type { LevelWithSilent } from "pino";
import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./lib/password-limits";

/** Every setting of the process, validated and typed; built once at start-up by `loadConfig`. */
export interface Config {
  env: "development" | "production" | "test";
  isProduction: boolean;
  host: string;
  port: number;
  /** Absolute path; the embedded database and development secrets live here. */
  dataDir: string;
  database: {
    /** Unset: the server starts its embedded engine. */
    url?: string;
    name: string;
    /** Embedded engine only: keep nothing on disk (tests, demos). */
    inMemory: boolean;
    /**
     * The driver's command monitoring: per-command latency by name in /metrics. Off by default:
     * it makes the driver decode every reply a second time (and copy every command).
     */
    commandMonitoring: boolean;
  };
  jwt: {
    secretKey: string;
    /** Set when the secret was generated for development and kept in this file. */
    secretFile?: string;
    algorithm: "HS256" | "HS384" | "HS512";
    accessTokenExpireMinutes: number;
    refreshTokenExpireDays: number;
  };
  auth: {
    /** bcrypt cost factor (log2 of rounds); tests lower it to stay fast. */
    bcryptCost: number;
    /** Failed logins allowed per email and per client IP within `windowSeconds`, then refused. */
    loginThrottle: { maxFailuresPerEmail: number; maxFailuresPerIp: number; windowSeconds: number };
    /** ADMIN_EMAIL + ADMIN_PASSWORD: start-up creates this admin once if no user has the email. */
    bootstrapAdmin?: { email: string; password: string; name: string };
  };
  /** Sign-in with OpenID Connect providers (docs/sign-in-oidc.md). */
  oidc: OidcConfig;
  ai: {
    /**
     * `offline` (deterministic, no network) unless a GOOGLE_API_KEY selects `gemini`; AI_PROVIDER
     * forces one, or selects `openai`: any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio).
     */
    provider: "gemini" | "openai" | "offline";
    googleApiKey?: string;
    geminiModel: string;
    geminiEmbeddingModel: string;
    /** Another Gemini endpoint (a proxy; the fake server in tests). */
    geminiBaseUrl?: string;
    openai: {
      /** The server's OpenAI-compatible root, with its `/v1`. */
      baseUrl: string;
      /** Another server for embeddings (llama.cpp serves one model per process); unset: `baseUrl`. */
      embeddingBaseUrl?: string;
      apiKey?: string;
      model: string;
      embeddingModel: string;
    };
    /**
     * Vector size of Gemini and offline embeddings; stored vectors of another size are not compared.
     * The openai provider takes its model's size instead.
     */
    embeddingDimensions: number;
    /** The offline provider's embedding model; changing it starts a new embedding space (re-embedded in the background). */
    offlineEmbeddingModel: "hashed-ngrams" | "use-lite";
    /** Per request to the model; for streams, the longest silence between chunks. */
    timeoutMs: number;
    maxRetries: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
    offlineStreamDelayMs: number;
  };
  uploads: {
    maxFileSize: number;
    uploadDir: string;
    allowedExtensions: string[];
    /** Where uploaded bytes live: GridFS (shared by every instance) or files in `uploadDir` (one instance). */
    store: "gridfs" | "disk";
    /** Bytes a DOCX's entries, or a PDF's non-image streams, may really inflate to, counted before parsing (declared sizes can lie). */
    docxMaxInflatedBytes: number;
    /** V8 heap of the process that parses one PDF or DOCX; its whole memory is capped at this plus 512 MB. */
    extractMaxHeapMb: number;
    /** How long parsing one file may take (wall clock and CPU); an instance's claim on an ingestion lasts twice this. */
    extractTimeoutMs: number;
    /** Uploads this process ingests at once, and at most this many of one user's, so no one's queue blocks another's. */
    ingestionConcurrency: number;
    ingestionPerUser: number;
    /** Bytes of uploaded files one user may keep (src/modules/uploads/upload-quota.ts). */
    maxStoredBytesPerUser: number;
    /** One user's uploads waiting for or in ingestion at once; a reprocess counts as one. */
    maxInFlightPerUser: number;
  };
  /** Unset: pub/sub stays in this process; set: every instance shares events through this Redis. */
  redisUrl?: string;
  search: {
    /** `hybrid`: lexical (BM25) and vector rankings fused by reciprocal rank fusion; `vector`: vector only. */
    ranking: "hybrid" | "vector";
  };
  chat: {
    /** Per user: answers being generated at once, and questions asked per minute; beyond, RATE_LIMITED. */
    maxConcurrentGenerations: number;
    messagesPerMinute: number;
    /** Passages retrieved per question, and the search score (0..1) a passage needs in strict mode. */
    passages: number;
    minRelevance: number;
    /** Earlier turns sent with a question, newest first, up to about this many tokens. */
    historyTokens: number;
    /** Streamed tokens are gathered into one event per this many milliseconds. */
    streamFlushMs: number;
  };
  /** Mail the API sends (e-mail verification): src/infra/mail. */
  mail: {
    /** The From header. */
    from: string;
    /** Where the development outbox writes each message (one JSON file each). */
    outboxDir: string;
    /** SMTP_URL: set, mail is delivered through this server instead of the outbox. Holds the password: never log it. */
    smtpUrl?: string;
    /** How long a verification link works. */
    verificationTtlSeconds: number;
    /** Verification mails one user may ask for per hour. */
    verificationsPerHour: number;
  };
  log: { level: LevelWithSilent; file?: string };
  /** `["*"]` allows any origin; an empty list allows none but same-origin requests. */
  allowedOrigins: string[];
  quizzes: {
    /**
     * Who adds quizzes to a course (they are listed to all its readers): `editors` (its owner and
     * admins) or `readers` (anyone who may read it; the older behaviour).
     */
    courseQuizAuthors: "editors" | "readers";
  };
  /** What earns leaderboard points (the attempt itself is always graded and kept). */
  leaderboard: {
    /** Only a user's first attempt at a quiz scores: later ones were made with the revealed keys. */
    firstAttemptOnly: boolean;
    /** Whether attempts at quizzes one may author (one's own, one's courses', any for an admin) score. */
    authorsScore: boolean;
    /** Most points one quiz can bring one user, however many questions it has. */
    maxPointsPerQuiz: number;
  };
  classes: {
    /** Seconds a timed assignment attempt may run past its limit (network, a slow click) before it is late or refused. */
    timedGraceSeconds: number;
  };
  /** Sign-ups and sign-ins per client IP within `windowSeconds`, on every transport; 0 turns it off. */
  authRateLimit: { requests: number; windowSeconds: number };
  /** AI generations (courses, quizzes) per user within `windowSeconds`; 0 turns it off. Chat has its own limits. */
  aiQuota: { requests: number; windowSeconds: number };
  /** Requests per window and client (user when signed in, else IP); 0 turns the limit off. Over websockets, each operation counts. */
  rateLimit: { requests: number; windowSeconds: number };

  graphql: {
    /** What a browser opening `/graphql` gets: the bundled GraphiQL (served here, works offline), Apollo Sandbox (loaded from Apollo's CDN), or nothing. */
    ide: GraphQLIde;
    introspection: boolean;
    /** Per operation, over HTTP and websockets alike (src/server/security/query-limits.ts). */
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
    /**
     * Bytes one answer may carry: checked before execution against the most the operation could
     * return (large text fields at their maximum length, lists at their real caps), and on the
     * actual result before it is serialized.
     */
    maxResponseBytes: number;
  };
  websockets: {
    /** Milliseconds a socket may stay open without sending `connection_init`. */
    connectionInitTimeoutMs: number;
    /** Open sockets per signed-in user, or per IP for anonymous ones. */
    maxConnectionsPerUser: number;
    maxSubscriptionsPerConnection: number;
    maxMessageBytes: number;
    /** Sockets per client IP that have not sent `connection_init` yet. */
    maxPendingPerIp: number;
    /** Bytes a socket may send before `connection_init` is accepted (a partial frame counts). */
    maxInitBytes: number;
  };
  /** Node's HTTP server timeouts and the per-address connection cap (src/server/security/http-connections.ts). */
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Open TCP connections per peer address; 0 turns the cap off. */
    maxConnectionsPerIp: number;
  };
  /** Unset: no /metrics endpoint; set: /metrics answers `Authorization: Bearer <token>` only. */
  metricsToken?: string;
  /**
   * Answers to GraphQL reads kept per viewer and cleared by the writes they depend on
   * (src/server/response-cache/). Off by default.
   */
  responseCache: { enabled: boolean; ttlSeconds: number; maxEntries: number };
  /** Express's "trust proxy": which proxies' X-Forwarded-For to believe for the client IP. */
  trustProxy: boolean | number | string;
}

/** One OpenID Connect provider users may sign in with, from OIDC_PROVIDERS. */
export interface OidcProviderConfig {
  /** In the API's URLs (`/api/v1/auth/oidc/<id>/start`): lower-case letters, digits and dashes. */
  id: string;
  /** What a login page shows ("Sign in with <name>"). */
  name: string;
  /** Discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE only). */
  clientSecret?: string;
  scopes: string[];
  /** Optional claim-to-role rule, applied at each sign-in: a value of `claim` found in `values` gives that role. */
  roleRule?: { claim: string; values: Record<string, "student" | "instructor" | "admin"> };
}

export interface OidcConfig {
  providers: OidcProviderConfig[];
  /** Where the frontend may be sent back to: a `redirect_to` must have one's origin and start with its path. */
  redirectAllowList: string[];
  /** The API's address as browsers reach it, for the callback URL; unset: taken from each request's host. */
  publicUrl?: string;
  /** Lifetime of a sign-in attempt (start to callback) and of the one-time sign-in code. */
  flowSeconds: number;
  signInCodeSeconds: number;
}

export const GRAPHQL_IDES = ["graphiql", "sandbox", "none"] as const;
export type GraphQLIde = (typeof GRAPHQL_IDES)[number];

/** A setting that cannot be used; its message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export type Environment = Record<string, string | undefined>;

const MIN_PRODUCTION_SECRET_LENGTH = 32;
/** Per streamed word: about 60 words a second, quick to read yet plainly a stream. */
const DEV_OFFLINE_STREAM_DELAY_MS = 15;
const DEV_SECRET_FILE = "jwt-secret";

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER as never;
}

const shown = (raw: string) => JSON.stringify(raw);

const text = () => z.string().trim().optional();

const integer = (min: number, max: number, fallback: number) =>
  text().transform((raw, ctx) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      return fail(ctx, `must be a whole number from ${min} to ${max} (got ${shown(raw)})`);
    }
    return value;
  });

const decimal = (min: number, max: number, fallback: number) =>
  text().transform((raw, ctx) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
      return fail(ctx, `must be a number from ${min} to ${max} (got ${shown(raw)})`);
    }
    return value;
  });

const oneOf = <T extends string>(values: readonly T[], fallback: T, aliases: Record<string, T> = {}) =>
  text().transform((raw, ctx): T => {
    if (raw === undefined) return fallback;
    const key = raw.toLowerCase();
    const match = values.find((v) => v.toLowerCase() === key) ?? aliases[key];
    return match ?? fail(ctx, `must be one of ${values.join(", ")} (got ${shown(raw)})`);
  });

const boolean = () =>
  text().transform((raw, ctx): boolean | undefined => {
    if (raw === undefined) return undefined;
    const key = raw.toLowerCase();
    if (["true", "1", "yes", "on"].includes(key)) return true;
    if (["false", "0", "no", "off"].includes(key)) return false;
    return fail(ctx, `must be true or false (got ${shown(raw)})`);
  });

const url = (protocols: string[]) =>
  text().transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(ctx, `must be a URL starting with ${protocols.join(" or ")}`);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, "://"))) {
      return fail(ctx, `must be a URL starting with ${protocols.join(" or ")}`);
    }
    return raw;
  });

/** Comma-separated, or a JSON array as the Python seed's settings accepted. */
const list = () =>
  text().transform((raw, ctx): string[] | undefined => {
    if (raw === undefined) return undefined;
    if (raw.startsWith("[")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return fail(ctx, "must be a comma-separated list or a JSON array of strings");
      }
      if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
        return fail(ctx, "must be a comma-separated list or a JSON array of strings");
      }
      return parsed.map((item) => item.trim()).filter(Boolean);
    }
    return raw.split(",").map((item) => item.trim()).filter(Boolean);
  });

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
// Python's level names, so the seed's .env keeps working.
const PYTHON_LOG_LEVELS: Record<string, LevelWithSilent> = { warning: "warn", critical: "fatal" };

const schema = z.object({
  NODE_ENV: oneOf(["development", "production", "test"], "development"),
  HOST: text(),
  PORT: integer(0, 65535, 8000),
  DATA_DIR: text(),
  MONGODB_URL: url(["mongodb://", "mongodb+srv://"]),
  DATABASE_NAME: text().transform((raw, ctx) => {
    if (raw === undefined) return "ai_learning_platform";
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(raw)) {
      return fail(ctx, `must be 1 to 63 letters, digits, _ or - (got ${shown(raw)})`);
    }
    return raw;
  }),
  DATABASE_IN_MEMORY: boolean(),
  DB_COMMAND_MONITORING: boolean(),
  JWT_SECRET_KEY: text(),
  JWT_ALGORITHM: oneOf(["HS256", "HS384", "HS512"], "HS256"),
  ACCESS_TOKEN_EXPIRE_MINUTES: integer(1, 60 * 24 * 365, 30),
  REFRESH_TOKEN_EXPIRE_DAYS: integer(1, 3650, 7),
  BCRYPT_COST: integer(4, 31, 12),
  LOGIN_MAX_FAILURES: integer(1, 1_000_000, 5),
  LOGIN_MAX_FAILURES_PER_IP: integer(1, 1_000_000, 100),
  LOGIN_THROTTLE_WINDOW: integer(1, 86_400, 900),
  // Optional: the default depends on NODE_ENV (see loadConfig).
  AUTH_RATE_LIMIT_REQUESTS: integer(0, 1_000_000, 20).optional(),
  AUTH_RATE_LIMIT_WINDOW: integer(1, 86_400, 60),
  // Optional: the default depends on NODE_ENV (see loadConfig).
  AI_QUOTA_REQUESTS: integer(0, 1_000_000, 30).optional(),
  AI_QUOTA_WINDOW: integer(1, 7 * 86_400, 3600),
  ADMIN_EMAIL: text(),
  ADMIN_PASSWORD: text(),
  ADMIN_NAME: text(),
  OIDC_PROVIDERS: text().transform((raw, ctx) => (raw === undefined ? [] : oidcProviders(raw, ctx))),
  OIDC_REDIRECT_ALLOWLIST: list(),
  PUBLIC_URL: url(["http://", "https://"]),
  OIDC_FLOW_TTL: integer(30, 3600, 600),
  OIDC_SIGN_IN_CODE_TTL: integer(5, 600, 60),
  GOOGLE_API_KEY: text(),
  // `.optional()` lets "unset" through (the fallback is never used): aiSettings decides from GOOGLE_API_KEY.
  AI_PROVIDER: oneOf(["gemini", "openai", "offline"], "offline").optional(),
  GEMINI_MODEL: text(),
  GEMINI_EMBEDDING_MODEL: text(),
  GEMINI_BASE_URL: url(["http://", "https://"]),
  OPENAI_BASE_URL: url(["http://", "https://"]),
  OPENAI_EMBEDDING_BASE_URL: url(["http://", "https://"]),
  OPENAI_API_KEY: text(),
  OPENAI_MODEL: text(),
  OPENAI_EMBEDDING_MODEL: text(),
  // gemini-embedding-001 returns 128 to 3072 dimensions.
  EMBEDDING_DIMENSIONS: integer(128, 3072, 768),
  AI_TIMEOUT_MS: integer(1, 600_000, 60_000),
  AI_MAX_RETRIES: integer(0, 10, 3),
  AI_RETRY_BASE_MS: integer(1, 60_000, 500),
  AI_RETRY_MAX_MS: integer(1, 600_000, 20_000),
  // Optional: the default depends on NODE_ENV (see aiSettings).
  AI_OFFLINE_STREAM_DELAY_MS: integer(0, 1_000, 0).optional(),
  OFFLINE_EMBEDDING_MODEL: oneOf(["hashed-ngrams", "use-lite"], "hashed-ngrams"),
  MAX_FILE_SIZE: integer(1, 1024 * 1024 * 1024, 10 * 1024 * 1024),
  UPLOAD_DIR: text(),
  ALLOWED_EXTENSIONS: list(),
  FILE_STORE: oneOf(["gridfs", "disk"], "gridfs"),
  DOCX_MAX_INFLATED_BYTES: integer(1024 * 1024, 4 * 1024 * 1024 * 1024, 64 * 1024 * 1024),
  EXTRACT_MAX_HEAP_MB: integer(32, 16 * 1024, 512),
  EXTRACT_TIMEOUT_SECONDS: integer(1, 3600, 60),
  INGESTION_CONCURRENCY: integer(1, 64, 2),
  INGESTION_PER_USER: integer(1, 64, 1),
  UPLOAD_QUOTA_BYTES: integer(1024, 1024 * 1024 * 1024 * 1024, 500 * 1024 * 1024),
  UPLOADS_IN_FLIGHT_PER_USER: integer(1, 10_000, 10),
  REDIS_URL: url(["redis://", "rediss://"]),
  SEARCH_RANKING: oneOf(["hybrid", "vector"], "hybrid"),
  CHAT_MAX_CONCURRENT: integer(1, 10_000, 3),
  CHAT_MESSAGES_PER_MINUTE: integer(1, 100_000, 20),
  CHAT_PASSAGES: integer(1, 20, 6),
  CHAT_MIN_RELEVANCE: decimal(0, 1, 0.6),
  CHAT_HISTORY_TOKENS: integer(0, 100_000, 2_000),
  CHAT_STREAM_FLUSH_MS: integer(0, 1_000, 25),
  MAIL_FROM: text(),
  MAIL_OUTBOX_DIR: text(),
  SMTP_URL: url(["smtp://", "smtps://"]).transform((raw, ctx) => {
    // The value holds a password: the messages never show it.
    if (raw !== undefined && !new URL(raw).hostname) return fail(ctx, "must name the server's host, e.g. smtp://user:password@mail.example.com:587");
    return raw;
  }),
  EMAIL_VERIFICATION_TTL: integer(1, 30 * 24 * 3600, 24 * 3600),
  EMAIL_VERIFICATION_PER_HOUR: integer(1, 1_000, 5),
  LOG_LEVEL: oneOf(LOG_LEVELS, "info", PYTHON_LOG_LEVELS),
  LOG_FILE: text(),
  ALLOWED_ORIGINS: list(),
  // Optional: the defaults depend on NODE_ENV (see loadConfig).
  COURSE_QUIZ_AUTHORS: oneOf(["editors", "readers"], "editors").optional(),
  LEADERBOARD_FIRST_ATTEMPT_ONLY: boolean(),
  LEADERBOARD_AUTHORS_SCORE: boolean(),
  LEADERBOARD_MAX_POINTS_PER_QUIZ: integer(10, 1_000_000, 100),
  CLASS_TIMED_GRACE_SECONDS: integer(0, 600, 10),
  // Optional: the default depends on NODE_ENV (see loadConfig).
  RATE_LIMIT_REQUESTS: integer(0, 1_000_000, 100).optional(),
  RATE_LIMIT_WINDOW: integer(1, 86_400, 60),
  // Optional: the default depends on NODE_ENV (see loadConfig).
  GRAPHQL_IDE: oneOf(GRAPHQL_IDES, "graphiql").optional(),
  GRAPHQL_INTROSPECTION: boolean(),
  GRAPHQL_MAX_DEPTH: integer(1, 1_000, 12),
  GRAPHQL_MAX_ALIASES: integer(0, 10_000, 30),
  GRAPHQL_MAX_DIRECTIVES: integer(0, 10_000, 30),
  GRAPHQL_MAX_TOKENS: integer(100, 1_000_000, 5_000),
  GRAPHQL_MAX_COST: integer(1, 100_000_000, 5_000),
  GRAPHQL_MAX_RESPONSE_BYTES: integer(64 * 1024, 1024 * 1024 * 1024, 64 * 1024 * 1024),
  WS_CONNECTION_INIT_TIMEOUT_MS: integer(100, 600_000, 3_000),
  WS_MAX_CONNECTIONS_PER_USER: integer(1, 100_000, 10),
  WS_MAX_SUBSCRIPTIONS: integer(1, 100_000, 20),
  WS_MAX_MESSAGE_BYTES: integer(1_024, 100 * 1024 * 1024, 1024 * 1024),
  WS_MAX_PENDING_PER_IP: integer(1, 100_000, 20),
  WS_MAX_INIT_BYTES: integer(256, 1024 * 1024, 16 * 1024),
  HTTP_HEADERS_TIMEOUT_MS: integer(1_000, 600_000, 10_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(1_000, 3_600_000, 300_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(100, 600_000, 5_000),
  HTTP_MAX_CONNECTIONS_PER_IP: integer(0, 1_000_000, 256),
  METRICS_TOKEN: text(),
  RESPONSE_CACHE: boolean(),
  RESPONSE_CACHE_TTL_SECONDS: integer(1, 3_600, 60),
  RESPONSE_CACHE_MAX_ENTRIES: integer(100, 10_000_000, 20_000),
  TRUST_PROXY: text().transform((raw): boolean | number | string => {
    if (raw === undefined || /^(false|0|no|off)$/i.test(raw)) return false;
    if (/^(true|yes|on)$/i.test(raw)) return true;
    // A hop count, or addresses/subnets/names such as "loopback, 10.0.0.0/8".
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }),
});

type Parsed = z.infer<typeof schema>;

/** `.env` values under the real environment (the real environment wins). */
export function readEnvironment(envFile = ".env"): Environment {
  const env: Environment = { ...process.env };
  dotenv.config({ path: envFile, processEnv: env, quiet: true });
  return env;
}

/**
 * Validates `env` into a Config, or throws a ConfigError whose message names each bad variable.
 * In development with no JWT_SECRET_KEY, a secret is generated once and kept in DATA_DIR.
 */
export function loadConfig(env: Environment = process.env): Config {
  // `NAME=` in a .env file means "not set", as in the seed's settings.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const { vars, problems, failed } = parseVariables(present);
  const isProduction = vars.NODE_ENV === "production";
  // Every problem at once, so that one start names them all; a rule about a variable that is
  // already reported as malformed would only repeat it.
  const ruleProblems: string[] = [...productionProblems(vars, isProduction)];
  const bootstrap = collect(() => bootstrapAdmin(vars), ruleProblems);
  const ai = collect(() => aiSettings(vars), ruleProblems);
  const oidc = collect(() => oidcSettings(vars), ruleProblems);
  problems.push(...ruleProblems.filter((problem) => !failed.has(/^[A-Z_]+/.exec(problem)?.[0] ?? "")));
  if (problems.length > 0) throw new ConfigError(`${CONFIG_ERROR_PREFIX}${problems.join("; ")}`);

  const ide = vars.GRAPHQL_IDE ?? (isProduction ? "none" : "graphiql");
  const dataDir = resolve(vars.DATA_DIR ?? ".data");
  const secret = vars.JWT_SECRET_KEY
    ? { secretKey: vars.JWT_SECRET_KEY }
    : developmentSecret(dataDir);

  return {
    env: vars.NODE_ENV,
    isProduction,
    // Development answers this machine only, as dev servers do; production serves the network.
    host: vars.HOST ?? (isProduction ? "0.0.0.0" : "127.0.0.1"),
    port: vars.PORT,
    dataDir,
    database: { url: vars.MONGODB_URL, name: vars.DATABASE_NAME, inMemory: vars.DATABASE_IN_MEMORY ?? false, commandMonitoring: vars.DB_COMMAND_MONITORING ?? false },
    jwt: {
      ...secret,
      algorithm: vars.JWT_ALGORITHM,
      accessTokenExpireMinutes: vars.ACCESS_TOKEN_EXPIRE_MINUTES,
      refreshTokenExpireDays: vars.REFRESH_TOKEN_EXPIRE_DAYS,
    },
    auth: {
      bcryptCost: vars.BCRYPT_COST,
      loginThrottle: {
        maxFailuresPerEmail: vars.LOGIN_MAX_FAILURES,
        maxFailuresPerIp: vars.LOGIN_MAX_FAILURES_PER_IP,
        windowSeconds: vars.LOGIN_THROTTLE_WINDOW,
      },
      bootstrapAdmin: bootstrap,
    },
    oidc: oidc as Config["oidc"],
    ai: ai as Config["ai"],
    uploads: {
      maxFileSize: vars.MAX_FILE_SIZE,
      uploadDir: resolve(vars.UPLOAD_DIR ?? "uploads"),
      allowedExtensions: (vars.ALLOWED_EXTENSIONS ?? ["pdf", "docx", "txt"]).map((ext) =>
        ext.replace(/^\./, "").toLowerCase(),
      ),
      store: vars.FILE_STORE,
      docxMaxInflatedBytes: vars.DOCX_MAX_INFLATED_BYTES,
      extractMaxHeapMb: vars.EXTRACT_MAX_HEAP_MB,
      extractTimeoutMs: vars.EXTRACT_TIMEOUT_SECONDS * 1000,
      ingestionConcurrency: vars.INGESTION_CONCURRENCY,
      ingestionPerUser: vars.INGESTION_PER_USER,
      maxStoredBytesPerUser: vars.UPLOAD_QUOTA_BYTES,
      maxInFlightPerUser: vars.UPLOADS_IN_FLIGHT_PER_USER,
    },
    redisUrl: vars.REDIS_URL,
    search: { ranking: vars.SEARCH_RANKING },
    chat: {
      maxConcurrentGenerations: vars.CHAT_MAX_CONCURRENT,
      messagesPerMinute: vars.CHAT_MESSAGES_PER_MINUTE,
      passages: vars.CHAT_PASSAGES,
      minRelevance: vars.CHAT_MIN_RELEVANCE,
      historyTokens: vars.CHAT_HISTORY_TOKENS,
      streamFlushMs: vars.CHAT_STREAM_FLUSH_MS,
    },
    mail: {
      from: vars.MAIL_FROM ?? "AI Learning Platform <no-reply@localhost>",
      outboxDir: resolve(vars.MAIL_OUTBOX_DIR ?? join(dataDir, "outbox")),
      smtpUrl: vars.SMTP_URL,
      verificationTtlSeconds: vars.EMAIL_VERIFICATION_TTL,
      verificationsPerHour: vars.EMAIL_VERIFICATION_PER_HOUR,
    },
    log: { level: vars.LOG_LEVEL, file: vars.LOG_FILE && resolve(vars.LOG_FILE) },
    allowedOrigins: vars.ALLOWED_ORIGINS ?? (isProduction ? [] : ["*"]),
    quizzes: {
      courseQuizAuthors: vars.COURSE_QUIZ_AUTHORS ?? "editors",
    },
    leaderboard: {
      firstAttemptOnly: vars.LEADERBOARD_FIRST_ATTEMPT_ONLY ?? true,
      authorsScore: vars.LEADERBOARD_AUTHORS_SCORE ?? false,
      maxPointsPerQuiz: vars.LEADERBOARD_MAX_POINTS_PER_QUIZ,
    },
    classes: { timedGraceSeconds: vars.CLASS_TIMED_GRACE_SECONDS },
    authRateLimit: {
      // The test-suite signs up hundreds of users from one address; its own test sets a limit.
      requests: vars.AUTH_RATE_LIMIT_REQUESTS ?? (vars.NODE_ENV === "test" ? 0 : 20),
      windowSeconds: vars.AUTH_RATE_LIMIT_WINDOW,
    },
    aiQuota: {
      // The test-suite generates many courses and quizzes as few users; its own test sets a quota.
      requests: vars.AI_QUOTA_REQUESTS ?? (vars.NODE_ENV === "test" ? 0 : 30),
      windowSeconds: vars.AI_QUOTA_WINDOW,
    },
    rateLimit: {
      // The test-suite sends hundreds of requests from one address; its rate-limit tests set a limit.
      requests: vars.RATE_LIMIT_REQUESTS ?? (vars.NODE_ENV === "test" ? 0 : 100),
      windowSeconds: vars.RATE_LIMIT_WINDOW,
    },
    graphql: {
      ide,
      // An IDE enabled in production needs the schema for its docs and completion.
      introspection: vars.GRAPHQL_INTROSPECTION ?? (!isProduction || ide !== "none"),
      maxDepth: vars.GRAPHQL_MAX_DEPTH,
      maxAliases: vars.GRAPHQL_MAX_ALIASES,
      maxDirectives: vars.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: vars.GRAPHQL_MAX_TOKENS,
      maxCost: vars.GRAPHQL_MAX_COST,
      maxResponseBytes: vars.GRAPHQL_MAX_RESPONSE_BYTES,
    },
    websockets: {
      connectionInitTimeoutMs: vars.WS_CONNECTION_INIT_TIMEOUT_MS,
      maxConnectionsPerUser: vars.WS_MAX_CONNECTIONS_PER_USER,
      maxSubscriptionsPerConnection: vars.WS_MAX_SUBSCRIPTIONS,
      maxMessageBytes: vars.WS_MAX_MESSAGE_BYTES,
      maxPendingPerIp: vars.WS_MAX_PENDING_PER_IP,
      maxInitBytes: vars.WS_MAX_INIT_BYTES,
    },
    http: {
      headersTimeoutMs: vars.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: vars.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerIp: vars.HTTP_MAX_CONNECTIONS_PER_IP,
    },
    metricsToken: vars.METRICS_TOKEN,
    responseCache: { enabled: vars.RESPONSE_CACHE ?? false, ttlSeconds: vars.RESPONSE_CACHE_TTL_SECONDS, maxEntries: vars.RESPONSE_CACHE_MAX_ENTRIES },
    trustProxy: vars.TRUST_PROXY,
  };
}

const CONFIG_ERROR_PREFIX = "Invalid configuration: ";

/** Each variable on its own, so that one malformed value does not hide the others. */
function parseVariables(present: Environment): { vars: Parsed; problems: string[]; failed: Set<string> } {
  const whole = schema.safeParse(present);
  if (whole.success) return { vars: whole.data, problems: [], failed: new Set() };
  const problems = whole.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  const failed = new Set(whole.error.issues.map((issue) => String(issue.path[0])));
  const vars: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse(present[name]);
    if (parsed.success) vars[name] = parsed.data;
  }
  return { vars: vars as Parsed, problems, failed };
}

/** Runs a rule that throws a ConfigError; its problem goes to `problems` instead. */
function collect<T>(rule: () => T, problems: string[]): T | undefined {
  try {
    return rule();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message.replace(CONFIG_ERROR_PREFIX, ""));
    return undefined;
  }
}

function productionProblems(vars: Parsed, isProduction: boolean): string[] {
  if (!isProduction) return [];
  const problems: string[] = [];
  const secret = vars.JWT_SECRET_KEY ?? "";
  if (secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    problems.push(
      `JWT_SECRET_KEY must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production ` +
        `(got ${secret.length}); generate one with: openssl rand -base64 48`,
    );
  }
  if (!vars.MONGODB_URL) {
    problems.push("MONGODB_URL must be set in production (the embedded database is for development)");
  }
  if (vars.SMTP_URL && !vars.MAIL_FROM) {
    problems.push("MAIL_FROM must be set in production when SMTP_URL is (mail servers refuse the default sender at localhost)");
  }
  return problems;
}

function aiSettings(vars: Parsed): Config["ai"] {
  const provider = vars.AI_PROVIDER ?? (vars.GOOGLE_API_KEY ? "gemini" : "offline");
  if (provider === "gemini" && !vars.GOOGLE_API_KEY) {
    throw new ConfigError("Invalid configuration: AI_PROVIDER=gemini needs GOOGLE_API_KEY (or use AI_PROVIDER=offline)");
  }
  return {
    provider,
    googleApiKey: vars.GOOGLE_API_KEY,
    geminiModel: vars.GEMINI_MODEL ?? "gemini-2.5-flash",
    geminiEmbeddingModel: vars.GEMINI_EMBEDDING_MODEL ?? "gemini-embedding-001",
    geminiBaseUrl: vars.GEMINI_BASE_URL,
    openai: {
      // Ollama's address on the same machine, and models it pulls by these names.
      baseUrl: vars.OPENAI_BASE_URL ?? "http://localhost:11434/v1",
      embeddingBaseUrl: vars.OPENAI_EMBEDDING_BASE_URL,
      apiKey: vars.OPENAI_API_KEY,
      model: vars.OPENAI_MODEL ?? "llama3.2",
      embeddingModel: vars.OPENAI_EMBEDDING_MODEL ?? "nomic-embed-text",
    },
    embeddingDimensions: vars.EMBEDDING_DIMENSIONS,
    offlineEmbeddingModel: vars.OFFLINE_EMBEDDING_MODEL,
    timeoutMs: vars.AI_TIMEOUT_MS,
    maxRetries: vars.AI_MAX_RETRIES,
    retryBaseDelayMs: vars.AI_RETRY_BASE_MS,
    retryMaxDelayMs: vars.AI_RETRY_MAX_MS,
    // Paced in development, so that someone trying the chat sees the answer stream in; tests and
    // production (where the offline provider is a stand-in) get it whole, as fast as it is written.
    offlineStreamDelayMs: vars.AI_OFFLINE_STREAM_DELAY_MS ?? (vars.NODE_ENV === "development" ? DEV_OFFLINE_STREAM_DELAY_MS : 0),
  };
}

/** ADMIN_EMAIL and ADMIN_PASSWORD come together; a password the API would refuse is refused here. */
function bootstrapAdmin(vars: Parsed): Config["auth"]["bootstrapAdmin"] {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = vars;
  if (!email && !password) return undefined;
  if (!email || !password) {
    throw new ConfigError("Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new ConfigError(`Invalid configuration: ADMIN_EMAIL must be an e-mail address (got ${shown(email)})`);
  }
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new ConfigError(
      `Invalid configuration: ADMIN_PASSWORD must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters (got ${password.length})`,
    );
  }
  return { email: email.toLowerCase(), password, name: vars.ADMIN_NAME ?? "Administrator" };
}

const ROLE_NAMES = { STUDENT: "student", INSTRUCTOR: "instructor", ADMIN: "admin" } as const;

const oidcProviderSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be 1 to 40 lower-case letters, digits or dashes"),
    name: z.string().trim().min(1).max(60),
    issuer: z.url({ protocol: /^https?$/ }),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    scopes: z.union([z.string(), z.array(z.string())]).optional(),
    roleClaim: z.string().min(1).optional(),
    roles: z.record(z.string(), z.enum(["STUDENT", "INSTRUCTOR", "ADMIN", "student", "instructor", "admin"])).optional(),
  })
  .strict();

/** More would not fit a login page; the response estimate prices `signInProviders` and `User.identities` by it. */
export const MAX_OIDC_PROVIDERS = 20;

/** OIDC_PROVIDERS: a JSON array of providers (docs/sign-in-oidc.md). */
function oidcProviders(raw: string, ctx: z.RefinementCtx): OidcProviderConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail(ctx, "must be a JSON array of providers ({ id, name, issuer, clientId, clientSecret, scopes, roleClaim, roles })");
  }
  const result = z.array(oidcProviderSchema).max(MAX_OIDC_PROVIDERS).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return fail(ctx, `[${issue.path.join(".")}] ${issue.message}`);
  }
  const ids = new Set<string>();
  return result.data.map((entry, index) => {
    if (ids.has(entry.id)) return fail(ctx, `[${index}.id] ${shown(entry.id)} is used twice`);
    ids.add(entry.id);
    const issuer = new URL(entry.issuer);
    // Plain http leaks codes and tokens; only a provider on this machine (development, tests) may use it.
    if (issuer.protocol === "http:" && !isLoopback(issuer.hostname)) {
      return fail(ctx, `[${index}.issuer] must be https (plain http only on localhost)`);
    }
    if ((entry.roleClaim === undefined) !== (entry.roles === undefined)) {
      return fail(ctx, `[${index}] roleClaim and roles go together`);
    }
    const scopes = typeof entry.scopes === "string" ? entry.scopes.split(/[\s,]+/).filter(Boolean) : (entry.scopes ?? ["openid", "email", "profile"]);
    return {
      id: entry.id,
      name: entry.name,
      // Kept exactly: discovery checks that the provider names itself by this very string (Auth0's ends in "/").
      issuer: entry.issuer,
      clientId: entry.clientId,
      clientSecret: entry.clientSecret,
      scopes: scopes.includes("openid") ? scopes : ["openid", ...scopes],
      roleRule:
        entry.roleClaim && entry.roles
          ? {
              claim: entry.roleClaim,
              values: Object.fromEntries(
                Object.entries(entry.roles).map(([value, role]) => [value, ROLE_NAMES[role.toUpperCase() as keyof typeof ROLE_NAMES]]),
              ),
            }
          : undefined,
    };
  });
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function oidcSettings(vars: Parsed): OidcConfig {
  const redirectAllowList = vars.OIDC_REDIRECT_ALLOWLIST ?? [];
  for (const entry of redirectAllowList) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(entry);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !["http:", "https:"].includes(parsed.protocol)) {
      throw new ConfigError(`Invalid configuration: OIDC_REDIRECT_ALLOWLIST entries must be http(s) URLs (got ${shown(entry)})`);
    }
  }
  const providers = vars.OIDC_PROVIDERS ?? [];
  if (providers.length > 0 && redirectAllowList.length === 0) {
    throw new ConfigError("Invalid configuration: OIDC_PROVIDERS needs OIDC_REDIRECT_ALLOWLIST (where the frontend may be sent back to)");
  }
  return {
    providers,
    redirectAllowList,
    publicUrl: vars.PUBLIC_URL?.replace(/\/+$/, ""),
    flowSeconds: vars.OIDC_FLOW_TTL,
    signInCodeSeconds: vars.OIDC_SIGN_IN_CODE_TTL,
  };
}

/** Read the kept development secret, or create it once so tokens survive restarts. */
function developmentSecret(dataDir: string): { secretKey: string; secretFile: string } {
  return keptSecret(dataDir, DEV_SECRET_FILE);
}

/** A random secret kept in `dataDir/fileName` (mode 0600): read when present, created once otherwise. */
export function keptSecret(dataDir: string, fileName: string): { secretKey: string; secretFile: string } {
  const secretFile = join(dataDir, fileName);
  try {
    return { secretKey: readFileSync(secretFile, "utf8").trim(), secretFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(`Invalid configuration: DATA_DIR cannot be read (${secretFile}: ${(error as Error).message})`);
    }
  }
  const secretKey = randomBytes(48).toString("base64url");
  try {
    mkdirSync(dataDir, { recursive: true });
    // "wx": if another process created it meanwhile, keep theirs.
    writeFileSync(secretFile, secretKey + "\n", { mode: 0o600, flag: "wx" });
    return { secretKey, secretFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      return { secretKey: readFileSync(secretFile, "utf8").trim(), secretFile };
    }
    throw new ConfigError(`Invalid configuration: DATA_DIR is not writable (${secretFile}: ${(error as Error).message})`);
  }
}
