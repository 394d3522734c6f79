/**
 * Every domain event and what it carries. Empty here: each domain declares the events it
 * publishes beside its service (`declare module "../../lib/events" { interface DomainEvents { … } }`),
 * so this one map is typed without lib/ importing a domain.
 */
export interface DomainEvents {}

export type EventName = keyof DomainEvents;
export type EventHandler<K extends EventName> = (payload: DomainEvents[K]) => void | Promise<void>;
/** What a module reacts to: at most one handler per event. */
export type EventHandlers = { [K in EventName]?: EventHandler<K> };

/**
 * In-process domain events: how one domain reacts to another's changes (a deleted course takes
 * its chapters, quizzes and chat sessions with it) without either wiring the other. `emit`
 * awaits every handler in module order, so a cascade is finished when the mutation answers; a
 * handler that must not hold up its publisher (re-indexing) starts its work and returns.
 */
export class DomainEventBus {
  private readonly handlers = new Map<EventName, EventHandler<never>[]>();

  on(handlers: EventHandlers): void {
    for (const [name, handler] of Object.entries(handlers) as [EventName, EventHandler<never>][]) {
      this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
    }
  }

  async emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    for (const handler of (this.handlers.get(name) ?? []) as EventHandler<K>[]) await handler(payload);
  }
}
