// A real OpenID provider (`oidc-provider`) for the tests, in its own process: the package is ESM
// with dependencies Jest cannot load, and a process of its own can also be stopped like a real
// provider going down. Driven over the IPC channel by test/helpers/oidc-provider.ts.
//
// 1. It listens on a free loopback port and sends `{ issuer }`.
// 2. It receives `{ clients, accounts }` (redirect URIs need the API's port, known only then),
//    builds the provider and answers `{ ready: true }`.
//
// Sign-in is a form posting the account id (`POST /interaction/:uid`); consent is automatic.
// A client may ask for a `tamper` of its ID tokens (`iss`, `aud`, `nonce`, `expired`, `foreignKey`):
// the provider then re-signs a token with that one thing wrong, as a broken or hostile provider
// would, so that the API's checks are seen refusing it.
import { createSign, generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const SCOPES = "openid email profile groups";

function rsaKey(kid) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, jwk: { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }, privateKey };
}

const signing = rsaKey("test-signing-key");
const stranger = rsaKey("test-signing-key");

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

function resign(idToken, change, key) {
  const [header, payload] = idToken.split(".");
  const claims = change(JSON.parse(Buffer.from(payload, "base64url").toString()));
  const head = { ...JSON.parse(Buffer.from(header, "base64url").toString()), alg: "RS256", kid: key.kid };
  const input = `${b64(head)}.${b64(claims)}`;
  const signature = createSign("RSA-SHA256").update(input).sign(key.privateKey).toString("base64url");
  return `${input}.${signature}`;
}

const TAMPER = {
  iss: (token) => resign(token, (claims) => ({ ...claims, iss: "https://impostor.example" }), signing),
  aud: (token) => resign(token, (claims) => ({ ...claims, aud: "some-other-client" }), signing),
  nonce: (token) => resign(token, (claims) => ({ ...claims, nonce: "nonce-of-another-sign-in" }), signing),
  expired: (token) =>
    resign(token, (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600, auth_time: claims.iat - 7200 }), signing),
  foreignKey: (token) => resign(token, (claims) => claims, stranger),
};

let provider;
const server = createServer((req, res) => {
  if (!provider) {
    res.writeHead(503).end();
    return;
  }
  const interaction = /^\/interaction\/([^/?]+)/.exec(req.url ?? "");
  if (interaction) {
    handleInteraction(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    });
    return;
  }
  provider.callback()(req, res);
});

async function handleInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<form method="post" action="/interaction/${details.uid}"><input name="login"><button>Sign in</button></form>`);
    return;
  }
  let body = "";
  for await (const chunk of req) body += chunk;
  const login = new URLSearchParams(body).get("login");
  const result = login === "deny" ? { error: "access_denied", error_description: "The user said no" } : { login: { accountId: login } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

function build(issuer, { clients, accounts, claimsInUserInfo }) {
  const tampers = new Map(clients.filter((client) => client.tamper).map((client) => [client.client_id, client.tamper]));
  const instance = new Provider(issuer, {
    clients: clients.map(({ tamper: _tamper, ...client }) => ({ grant_types: ["authorization_code"], response_types: ["code"], ...client })),
    jwks: { keys: [signing.jwk] },
    cookies: { keys: ["test cookie key, not a secret"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: SCOPES.split(" "),
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // false: claims go into the ID token itself, as Google and Entra ID do; true (the package's
    // default, as some providers do): only into the UserInfo answer.
    conformIdTokenClaims: claimsInUserInfo === true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, accountId) {
      const account = accounts[accountId];
      if (!account) return undefined;
      return { accountId, claims: async () => ({ sub: accountId, ...account }) };
    },
    // Automatic consent: every client gets what it asked for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
  });
  instance.use(async (ctx, next) => {
    await next();
    const tamper = ctx.path === "/token" && ctx.body?.id_token && tampers.get(ctx.oidc?.client?.clientId);
    if (tamper) ctx.body = { ...ctx.body, id_token: TAMPER[tamper](ctx.body.id_token) };
  });
  return instance;
}

// The test that started it is gone (finished, crashed or killed): never outlive it.
process.on("disconnect", () => process.exit(0));

server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  process.on("message", (message) => {
    provider = build(issuer, message);
    process.send({ ready: true });
  });
  process.send({ issuer });
});
