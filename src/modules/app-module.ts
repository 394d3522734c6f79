import type { Router } from "express";
import type { NonEmptyArray } from "type-graphql";
import type { Config } from "../config";
import type { AiProvider } from "../infra/ai";
import type { Database } from "../infra/db";
import type { AppPubSub } from "../infra/pubsub";
import type { Services } from "../lib/context";
import type { DomainEventBus, EventHandlers } from "../lib/events";
import type { Logger } from "../lib/logger";
import type { Quota } from "../lib/quota";

/** What the composition root gives every module's `create`. */
export interface ModuleDeps {
  config: Config;
  log: Logger;
  ai: AiProvider;
  pubSub: AppPubSub;
  database: Database;
  /** AI generations per user, one budget shared by every module that asks the model for work. */
  aiWork: Quota;
  /** Publish this domain's events here; react to others' through `handles`. */
  events: DomainEventBus;
  /**
   * Every module's services, filled in as the list is folded: take peers with `peers(services, …)`,
   * which reads them when called, so a module may use one listed after it.
   */
  services: Services;
}

/** A REST router and where it is mounted. */
export interface RestRoutes {
  path: string;
  router: Router;
}

/** One domain, made from its dependencies once per process. */
export interface ModuleInstance<S extends object> {
  /** Added to `Context["services"]` under these names. */
  services: S;
  /** The other domains' events this one reacts to. */
  handles?: EventHandlers;
  /** REST routes (behind the rate limit). */
  routes?: RestRoutes[];
  /** Routes mounted before the rate limit: probes that must never be refused. */
  probes?: Router;
  /** Runs once the database is connected (indexes, resuming work); modules start in list order. */
  start?(): Promise<void>;
  /** Graceful shutdown; modules stop in reverse list order. */
  stop?(): Promise<void>;
}

/**
 * What each domain folder exports from its `<domain>.module.ts`, annotated with the services it
 * provides (`export const chatModule: AppModule<{ chat: ChatService }> = { … }`): the list derives
 * `Services` from these annotations, so they must be written out, not inferred.
 */
export interface AppModule<S extends object = object> {
  name: string;
  /** Type only, never set: the services `create` provides, for `ServicesOf`. */
  readonly provides?: S;
  /**
   * Query fields whose answers depend only on stored data and the viewer: with RESPONSE_CACHE on,
   * their answers are kept per viewer until a write touches what they read (docs/architecture.md,
   * "The response cache"). Leave out fields that answer from the clock or from a process's memory.
   */
  cachedQueries?: readonly string[];
  /** The domain's type-graphql resolvers (its object types are reached through them). */
  resolvers: NonEmptyArray<Function>;
  create(deps: ModuleDeps): ModuleInstance<S>;
}

/** The services a module list provides, by name. */
export type ServicesOf<M extends readonly { readonly provides?: object }[]> = UnionToIntersection<NonNullable<M[number]["provides"]>>;
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void ? I : never;

/**
 * A service's dependencies: the peers named, read from the shared registry each time they are
 * used (a module never waits for another to be made, so the list's order only decides start and
 * stop), plus `own` values as they are. Never spread the result: that would read every peer now.
 */
export function peers<K extends keyof Services, O extends object = object>(services: Services, names: readonly K[], own?: O): Pick<Services, K> & O {
  const view = { ...own } as Pick<Services, K> & O;
  for (const name of names) {
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => services[name] ?? missingPeer(String(name)),
    });
  }
  return view;
}

function missingPeer(name: string): never {
  throw new Error(`service "${name}" is not provided by any module in src/server/modules.ts`);
}
