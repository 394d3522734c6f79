import { validate } from "class-validator";
import express, { Router, type ErrorRequestHandler } from "express";
import { GraphQLError } from "graphql";
import type { ClassType } from "type-graphql";
import { ErrorCode } from "../../lib/errors";
import { refusalHeaders } from "../../lib/quota";
import type { User } from "../users/user.model";
import { LoginInput, RefreshTokenArgs, RegisterInput } from "./auth.inputs";
import type { AuthPayload, AuthService } from "./auth.service";
import type { EmailVerificationService } from "./email-verification.service";
import { oidcRoutes } from "./oidc.rest";
import type { OidcService } from "./oidc.service";

/** The seed's `UserResponse`: snake_case, role in lower case. */
interface UserResponse {
  id: string;
  name: string;
  email: string;
  role: string;
  is_active: boolean;
  created_at: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  user: UserResponse;
}

/** A FastAPI-style validation error item. */
interface DetailItem {
  loc: string[];
  msg: string;
  type: string;
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 422,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

/** An answer decided here rather than by a service: `{"detail": detail}` with `status`. */
class RestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | DetailItem[],
    readonly retryAfterSeconds?: number,
  ) {
    super(typeof detail === "string" ? detail : "Invalid body");
  }
}

/**
 * `/api/v1/auth/*` for clients of the seed's FastAPI app: same services as the GraphQL
 * mutations, answering in snake_case with `{"detail": ...}` errors; and the browser side of
 * provider sign-in under `/oidc`.
 */
export function authRoutes(auth: AuthService, oidc: OidcService, oidcOptions: Parameters<typeof oidcRoutes>[1], verification: EmailVerificationService): Router {
  const router = Router();
  router.use(express.json({ limit: "16kb" }));
  router.use("/oidc", oidcRoutes(oidc, oidcOptions));

  router.post("/register", async (req, res) => {
    const input = await parse(RegisterInput, req.body, ["name", "email", "password"]);
    const user = await auth.signUp(input, req.ip).catch((error: unknown) => {
      // The seed answered a taken e-mail with 400, not 409.
      throw isCode(error, ErrorCode.CONFLICT) ? new RestError(400, error.message) : error;
    });
    res.status(201).json(userResponse(user));
  });

  router.post("/login", async (req, res) => {
    const input = await parse(LoginInput, req.body, ["email", "password"]);
    res.json(tokenResponse(await auth.login(input, req.ip)));
  });

  router.post("/refresh", async (req, res) => {
    const { refreshToken } = await parse(RefreshTokenArgs, renamed(req.body), ["refreshToken"]);
    res.json(tokenResponse(await auth.refresh(refreshToken)));
  });

  router.post("/logout", async (req, res) => {
    const { refreshToken } = await parse(RefreshTokenArgs, renamed(req.body), ["refreshToken"]);
    await auth.logout(refreshToken);
    res.json({ message: "Successfully logged out" });
  });

  // What the verification mail's link opens: the token in the link is the proof, no sign-in.
  router.get("/verify-email", async (req, res) => {
    const token = typeof req.query.token === "string" ? req.query.token : "";
    if (!token || token.length > 200) throw new RestError(422, [{ loc: ["query", "token"], msg: "Field required", type: "missing" }]);
    const user = await verification.verify(token);
    res.json({ detail: "E-mail address verified", email: user.email });
  });

  router.get("/me", async (req, res) => {
    const viewer = await auth.authenticate(req.headers.authorization);
    if (!viewer) throw new RestError(401, "Could not validate credentials");
    res.json(userResponse(viewer.user));
  });

  router.use(answerError);
  return router;
}

function userResponse(user: User): UserResponse {
  return {
    id: String(user._id),
    name: user.name,
    email: user.email,
    role: user.role,
    is_active: user.is_active,
    created_at: user.created_at.toISOString(),
  };
}

function tokenResponse(payload: AuthPayload): TokenResponse {
  return {
    access_token: payload.accessToken,
    refresh_token: payload.refreshToken,
    token_type: payload.tokenType,
    user: userResponse(payload.user),
  };
}

/** The body's known fields as an instance of `type`, validated by the same rules as GraphQL's input. */
async function parse<T extends object>(type: ClassType<T>, body: unknown, fields: (keyof T & string)[]): Promise<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RestError(422, [{ loc: ["body"], msg: "Input should be a JSON object", type: "model_type" }]);
  }
  const source = body as Record<string, unknown>;
  const missing = fields.filter((field) => source[field] === undefined || source[field] === null);
  if (missing.length > 0) {
    throw new RestError(422, missing.map((field) => ({ loc: ["body", snake(field)], msg: "Field required", type: "missing" })));
  }
  const instance = Object.assign(new type(), Object.fromEntries(fields.map((field) => [field, source[field]])));
  const errors = await validate(instance, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) {
    throw new RestError(
      422,
      // One entry per field, as over GraphQL: its first (most specific) broken rule.
      errors.flatMap((error) =>
        Object.entries(error.constraints ?? {})
          .slice(0, 1)
          .map(([type, msg]) => ({ loc: ["body", snake(error.property)], msg, type })),
      ),
    );
  }
  return instance;
}

/** The seed's `refresh_token` body field under the shared input class's name. */
function renamed(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return { refreshToken: (body as { refresh_token?: unknown }).refresh_token };
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function isCode(error: unknown, code: ErrorCode): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions.code === code;
}

/** Errors raised on purpose become `{"detail": ...}`; anything else goes on to the app's 500 handler. */
const answerError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const answer = error instanceof RestError ? error : fromService(error);
  if (!answer) {
    next(error);
    return;
  }
  if (answer.status === 401) res.setHeader("WWW-Authenticate", "Bearer");
  if (answer.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(answer.retryAfterSeconds));
  // The sign-up and sign-in limit's own state, in place of the general rate limit's.
  const limitHeaders = refusalHeaders(error);
  if (limitHeaders) res.set(limitHeaders);
  res.status(answer.status).json({ detail: answer.detail });
};

function fromService(error: unknown): RestError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const status = STATUS[String(error.extensions.code)];
  if (!status) return undefined;
  const retryAfter = error.extensions.retryAfterSeconds;
  return new RestError(status, error.message, typeof retryAfter === "number" ? retryAfter : undefined);
}
