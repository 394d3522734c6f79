import type { Document } from "bson";
import {
  type ClientSession,
  type Collection,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  MongoClient,
  type MongoClientOptions,
  type ServerApiVersion,
} from "mongodb";
import { toCollectionOptions, toDriverValue } from "./operations/arguments";
import { entityPkFactory } from "./operations/client-bulk-write";
import type { EntityDescription } from "./spec-files";

export type CommandEventKind = "commandStartedEvent" | "commandSucceededEvent" | "commandFailedEvent";

/** A command monitoring event as the test format names its fields. */
export interface CapturedEvent {
  kind: CommandEventKind;
  commandName: string;
  databaseName: string;
  command?: Document;
  reply?: Document;
  failure?: string;
}

export interface ClientEntity {
  client: MongoClient;
  events: CapturedEvent[];
}

type Entity =
  | { kind: "client"; value: ClientEntity }
  | { kind: "database"; value: Db }
  | { kind: "collection"; value: Collection }
  | { kind: "session"; value: ClientSession }
  | { kind: "result"; value: unknown };

type EntityKind = Entity["kind"];
type EntityValue<K extends EntityKind> = Extract<Entity, { kind: K }>["value"];

/** Commands whose events the command monitoring spec treats as sensitive (redacted, never observed). */
const SENSITIVE_COMMANDS = new Set([
  "authenticate",
  "saslStart",
  "saslContinue",
  "getnonce",
  "createUser",
  "updateUser",
  "copydbgetnonce",
  "copydbsaslstart",
  "copydb",
]);
const HELLO_COMMANDS = new Set(["hello", "ismaster", "isMaster"]);

function isIgnored(name: string, command: Document | undefined, ignored: Set<string>): boolean {
  if (ignored.has(name) || name === "configureFailPoint" || SENSITIVE_COMMANDS.has(name)) return true;
  // hello is sensitive only when it carries speculativeAuthenticate, which the driver redacts to {}.
  return HELLO_COMMANDS.has(name) && command !== undefined && Object.keys(command).length === 0;
}

function withUriOptions(uri: string, uriOptions: Document): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(uriOptions)) url.searchParams.set(key, String(value));
  return url.toString();
}

/** The entity map of one test: names to driver objects and saved results. */
export class EntityMap {
  private readonly entities = new Map<string, Entity>();

  constructor(
    private readonly uri: string,
    private readonly defaultUriOptions: Document,
  ) {}

  get<K extends EntityKind>(name: string, kind: K): EntityValue<K> {
    const entity = this.entities.get(name);
    if (!entity) throw new Error(`runner: no entity named ${name}`);
    if (entity.kind !== kind) throw new Error(`runner: entity ${name} is a ${entity.kind}, not a ${kind}`);
    return entity.value as EntityValue<K>;
  }

  kindOf(name: string): EntityKind | undefined {
    return this.entities.get(name)?.kind;
  }

  value(name: string): unknown {
    const entity = this.entities.get(name);
    if (!entity) throw new Error(`runner: no entity named ${name}`);
    return entity.value;
  }

  clients(): Array<[string, ClientEntity]> {
    return [...this.entities].flatMap(([name, e]) => (e.kind === "client" ? [[name, e.value] as [string, ClientEntity]] : []));
  }

  set(name: string, entity: Entity): void {
    if (this.entities.has(name)) throw new Error(`runner: entity ${name} already exists`);
    this.entities.set(name, entity);
  }

  async create(descriptions: EntityDescription[]): Promise<void> {
    for (const description of descriptions) {
      const kinds = Object.keys(description);
      if (kinds.length !== 1) throw new Error(`runner: an entity needs exactly one type, got ${kinds.join(", ")}`);
      const { client, database, collection, session } = description;
      if (client) this.set(client.id, { kind: "client", value: await this.createClient(client) });
      else if (database) {
        const { client: owner } = this.get(database.client, "client");
        const options = toCollectionOptions(database.databaseOptions);
        this.set(database.id, { kind: "database", value: owner.db(database.databaseName, options) });
      } else if (collection) {
        const db = this.get(collection.database, "database");
        const options = toCollectionOptions(collection.collectionOptions);
        this.set(collection.id, { kind: "collection", value: db.collection(collection.collectionName, options) });
      } else if (session) {
        const { client: owner } = this.get(session.client, "client");
        this.set(session.id, { kind: "session", value: owner.startSession(toDriverValue(session.sessionOptions ?? {}) as Document) });
      } else {
        throw new Error(`runner: unsupported entity type ${kinds[0]}`);
      }
    }
  }

  private async createClient(description: NonNullable<EntityDescription["client"]>): Promise<ClientEntity> {
    if (description.storeEventsAsEntities) throw new Error("runner: storeEventsAsEntities is not supported");
    const options: MongoClientOptions = { monitorCommands: true, pkFactory: entityPkFactory };
    if (description.serverApi) options.serverApi = { ...description.serverApi, version: description.serverApi.version as ServerApiVersion };
    const uriOptions = { ...this.defaultUriOptions, ...(toDriverValue(description.uriOptions ?? {}) as Document) };
    const client = new MongoClient(withUriOptions(this.uri, uriOptions), options);
    const entity: ClientEntity = { client, events: [] };
    const observed = new Set(description.observeEvents ?? []);
    const ignored = new Set(description.ignoreCommandMonitoringEvents ?? []);
    const observeSensitive = description.observeSensitiveCommands === true;
    const record = (event: CapturedEvent) => {
      if (observeSensitive ? ignored.has(event.commandName) : isIgnored(event.commandName, event.command, ignored)) return;
      entity.events.push(event);
    };
    if (observed.has("commandStartedEvent")) {
      client.on("commandStarted", (e: CommandStartedEvent) =>
        record({ kind: "commandStartedEvent", commandName: e.commandName, databaseName: e.databaseName, command: e.command }),
      );
    }
    if (observed.has("commandSucceededEvent")) {
      client.on("commandSucceeded", (e: CommandSucceededEvent) =>
        record({ kind: "commandSucceededEvent", commandName: e.commandName, databaseName: e.databaseName, reply: e.reply as Document }),
      );
    }
    if (observed.has("commandFailedEvent")) {
      client.on("commandFailed", (e: CommandFailedEvent) =>
        record({ kind: "commandFailedEvent", commandName: e.commandName, databaseName: e.databaseName, failure: e.failure.message }),
      );
    }
    await client.connect();
    return entity;
  }

  /** Stops event capture, ends sessions and closes clients; errors here are not the test's concern. */
  async close(): Promise<void> {
    for (const entity of this.entities.values()) {
      if (entity.kind === "session") await entity.value.endSession().catch(() => undefined);
    }
    for (const entity of this.entities.values()) {
      if (entity.kind === "client") {
        entity.value.client.removeAllListeners();
        await entity.value.client.close().catch(() => undefined);
      }
    }
    this.entities.clear();
  }
}
