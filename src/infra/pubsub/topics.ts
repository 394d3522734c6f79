/**
 * Every pub/sub topic and what it carries: publishers and subscribers can only use these.
 * A two-element tuple is `[id, payload]`: subscribers listen to one id of the topic.
 */
export type TopicMap = {
  [Topic.HealthPing]: [channel: string, payload: PingPayload];
};

export enum Topic {
  HealthPing = "HEALTH_PING",
}

export interface PingPayload {
  channel: string;
  message: string;
  sentAt: Date;
}
