import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { saslprep } from "@mongodb-js/saslprep";

/** mongod's default iteration count for SCRAM-SHA-256 (`scramSHA256IterationCount`). */
const ITERATIONS = 15_000;
const SALT_BYTES = 28;

/** What the server keeps of a password: never the password, only the RFC 5802 keys. */
export interface ScramCredentials {
  iterationCount: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

export function deriveCredentials(password: string, salt = randomBytes(SALT_BYTES), iterationCount = ITERATIONS): ScramCredentials {
  const salted = pbkdf2Sync(saslprep(password), salt, iterationCount, 32, "sha256");
  return {
    iterationCount,
    salt: salt.toString("base64"),
    storedKey: sha256(hmac(salted, "Client Key")).toString("base64"),
    serverKey: hmac(salted, "Server Key").toString("base64"),
  };
}

/** The SCRAM attributes of a message (`n=user,r=nonce`), split on commas. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) out.set(part[0], part.slice(2));
  }
  return out;
}

/** `=2C` and `=3D` are how SCRAM escapes `,` and `=` in a user name. */
const unescapeName = (name: string) => name.replace(/=2C/g, ",").replace(/=3D/g, "=");

export class ScramError extends Error {}

/**
 * One server-side SCRAM-SHA-256 conversation: `start` reads client-first and answers
 * server-first, `finish` checks the client's proof and answers the server signature.
 */
export class ScramConversation {
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";

  constructor(private readonly lookup: (user: string) => ScramCredentials | undefined) {}

  user = "";
  private credentials?: ScramCredentials;

  start(clientFirst: string): string {
    if (!clientFirst.startsWith("n,") && !clientFirst.startsWith("y,")) throw new ScramError("channel binding is not supported");
    this.clientFirstBare = clientFirst.slice(clientFirst.indexOf(",", 2) + 1);
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get("r");
    const name = attrs.get("n");
    if (!clientNonce || name === undefined) throw new ScramError("malformed client-first message");
    this.user = unescapeName(name);
    this.credentials = this.lookup(this.user);
    // An unknown user gets a plausible answer and fails at the proof, as mongod does.
    const creds = this.credentials ?? deriveCredentials(randomBytes(16).toString("hex"), randomBytes(SALT_BYTES), ITERATIONS);
    this.nonce = clientNonce + randomBytes(24).toString("base64");
    this.serverFirst = `r=${this.nonce},s=${creds.salt},i=${creds.iterationCount}`;
    return this.serverFirst;
  }

  finish(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) throw new ScramError("malformed client-final message");
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get("r") !== this.nonce) throw new ScramError("nonce mismatch");
    const creds = this.credentials;
    if (!creds) throw new ScramError("unknown user");
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(creds.storedKey, "base64");
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
    if (proof.length !== signature.length) throw new ScramError("bad proof");
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(sha256(clientKey), storedKey)) throw new ScramError("bad proof");
    return `v=${hmac(Buffer.from(creds.serverKey, "base64"), authMessage).toString("base64")}`;
  }
}
