import { Field, Int, ObjectType, registerEnumType } from "type-graphql";

export enum HealthState {
  HEALTHY = "HEALTHY",
  DEGRADED = "DEGRADED",
  UNHEALTHY = "UNHEALTHY",
}

registerEnumType(HealthState, {
  name: "HealthState",
  description: "How well the API or one of its dependencies is doing.",
  valuesConfig: {
    HEALTHY: { description: "Working." },
    DEGRADED: { description: "Serving, but an optional dependency (the AI service) is down." },
    UNHEALTHY: { description: "Not working; for the API as a whole, the database is down." },
  },
});

@ObjectType({ description: "The result of checking one dependency." })
export class HealthCheck {
  @Field({ description: "What was checked: `api`, `database` or `ai_service`." })
  name!: string;

  @Field(() => HealthState, { description: "Whether it works." })
  status!: HealthState;

  @Field(() => Int, { nullable: true, description: "Round-trip time of the check in milliseconds, where measured." })
  latencyMs?: number;

  @Field({ nullable: true, description: "Which backend answered (e.g. `embedded`, `offline`), or why the check failed." })
  detail?: string;
}

@ObjectType({ description: "The health of the API and its dependencies." })
export class Health {
  @Field(() => HealthState, { description: "The overall state." })
  status!: HealthState;

  @Field(() => [HealthCheck], { description: "One entry per dependency checked." })
  checks!: HealthCheck[];

  @Field({ description: "When the checks ran." })
  timestamp!: Date;
}

@ObjectType({ description: "A ping sent through the server's pub/sub to the subscribers of a channel." })
export class Ping {
  @Field({ description: "The channel the ping was sent to." })
  channel!: string;

  @Field({ description: "The text the sender chose." })
  message!: string;

  @Field({ description: "When the server published it." })
  sentAt!: Date;
}
