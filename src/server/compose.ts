import type { Router } from "express";
import mongoose from "mongoose";
import type { Services } from "../lib/context";
import { DomainEventBus } from "../lib/events";
import type { Logger } from "../lib/logger";
import type { ModuleDeps, ModuleInstance, RestRoutes } from "../modules/app-module";
import { MODULES } from "./modules";

export interface ComposedModules {
  services: Services;
  /** Routes mounted before the rate limit. */
  probes: Router[];
  routes: RestRoutes[];
  /**
   * Starts every module in list order: at once when the database is connected, else on
   * connection, so start-up never hangs on an unreachable MongoDB.
   */
  start(): Promise<void>;
  /** Stops the started modules in reverse order; every module is stopped even if one fails. */
  stop(): Promise<void>;
}

/** Makes every module of `MODULES` from the shared infrastructure: the composition root. */
export function composeModules(infra: Omit<ModuleDeps, "events" | "services">): ComposedModules {
  const events = new DomainEventBus();
  const services = {} as Record<string, unknown>;
  const instances: { name: string; instance: ModuleInstance<object> }[] = [];
  const log: Logger = infra.log;
  const stopAll = async () => {
    const failures: unknown[] = [];
    for (const { name, instance } of [...instances].reverse()) {
      await instance.stop?.().catch((error: unknown) => {
        log.error({ err: error, module: name }, "modules: stopping failed");
        failures.push(error);
      });
    }
    if (failures.length > 0) throw failures[0];
  };
  try {
    for (const module of MODULES) {
      const instance: ModuleInstance<object> = module.create({ ...infra, events, services: services as unknown as Services });
      for (const [name, service] of Object.entries(instance.services)) {
        if (name in services) throw new Error(`modules: service "${name}" of ${module.name} is already provided`);
        services[name] = service;
      }
      if (instance.handles) events.on(instance.handles);
      instances.push({ name: module.name, instance });
    }
  } catch (error) {
    // What the modules made so far (Redis connections, timers) is let go before the error is reported.
    void stopAll().catch(() => undefined);
    throw error;
  }
  const startAll = async () => {
    for (const { instance } of instances) await instance.start?.();
  };
  return {
    services: services as unknown as Services,
    probes: instances.flatMap(({ instance }) => (instance.probes ? [instance.probes] : [])),
    routes: instances.flatMap(({ instance }) => instance.routes ?? []),
    async start() {
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return startAll();
      mongoose.connection.once("connected", () => {
        startAll().catch((error: unknown) => log.error({ err: error }, "modules: start-up on connection failed"));
      });
    },
    stop: stopAll,
  };
}
