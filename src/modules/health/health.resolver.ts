import { Args, Authorized, Ctx, Mutation, Query, Resolver, Subscription } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { validArgs } from "../../lib/validation";
import type { CheckResult, HealthReport, PingPayload } from "./health.service";
import { PingArgs, PingChannelArgs } from "./health.inputs";
import { Health, HealthCheck, HealthState, Ping } from "./health.types";
import type { Context } from "../../lib/context";

@Resolver()
export class HealthResolver {
  @Query(() => Health, { description: "The health of the API and its dependencies, as `GET /health/detailed` reports it." })
  async health(@Ctx() ctx: Context): Promise<Health> {
    return toHealth(await ctx.services.health.report());
  }

  // Admins only: a public ping let anyone publish to any channel, and through Redis to every instance.
  @Authorized("ADMIN")
  @Mutation(() => Ping, { description: "Admin diagnostics: publishes a ping to the `ping` subscribers of a channel." })
  ping(@Args() { channel, message }: PingArgs, @Ctx() ctx: Context): PingPayload {
    return ctx.services.health.ping(channel, message);
  }

  @Authorized("ADMIN")
  @Subscription(() => Ping, {
    name: "ping",
    description: "Admin diagnostics: pings sent to a channel with the `ping` mutation, to check the realtime path (and Redis) end to end.",
    topics: "HEALTH_PING",
    topicId: ({ args }) => validArgs(PingChannelArgs, args).channel,
  })
  pings(@Args() _args: PingChannelArgs, @Root() ping: PingPayload): PingPayload {
    return ping;
  }
}

function toHealth(report: HealthReport): Health {
  return {
    status: report.status.toUpperCase() as HealthState,
    checks: Object.entries(report.checks).map(([name, check]) => toCheck(name, check)),
    timestamp: new Date(report.timestamp),
  };
}

function toCheck(name: string, check: CheckResult): HealthCheck {
  const detail = check.error ?? check.kind ?? check.provider;
  return {
    name,
    status: check.status === "healthy" ? HealthState.HEALTHY : HealthState.UNHEALTHY,
    latencyMs: typeof check.latencyMs === "number" ? check.latencyMs : undefined,
    detail: typeof detail === "string" ? detail : undefined,
  };
}
