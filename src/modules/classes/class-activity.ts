import { Field, Float, ObjectType, registerEnumType } from "type-graphql";

export enum ClassActivityKind {
  JOINED = "JOINED",
  LEFT = "LEFT",
  STARTED = "STARTED",
  SUBMITTED = "SUBMITTED",
  CHAPTER_COMPLETED = "CHAPTER_COMPLETED",
}
registerEnumType(ClassActivityKind, {
  name: "ClassActivityKind",
  description: "What a student did in a class.",
  valuesConfig: {
    JOINED: { description: "A student joined (by code or invitation)." },
    LEFT: { description: "A member left or was removed." },
    STARTED: { description: "A student started an assignment (a timed quiz starts its clock)." },
    SUBMITTED: { description: "A student submitted a quiz assignment; `percent` is its score." },
    CHAPTER_COMPLETED: { description: "A student completed a chapter of an assigned course." },
  },
});

/** What travels through pub/sub (plain JSON: it crosses Redis). */
export interface ClassActivityPayload {
  classId: string;
  kind: ClassActivityKind;
  userId: string;
  name: string;
  assignmentId?: string;
  chapterId?: string;
  percent?: number;
  late?: boolean;
  at: string;
}

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** What students do in a class, by class id: the teachers' and TAs' live view. */
    CLASS_ACTIVITY: [classId: string, payload: ClassActivityPayload];
  }
}

@ObjectType({ description: "One thing a student did in a class, as it happens." })
export class ClassActivityEvent {
  @Field(() => ClassActivityKind, { description: "What happened." })
  kind!: ClassActivityKind;

  @Field({ name: "classId", description: "The class." })
  classId!: string;

  @Field({ name: "userId", description: "Who did it." })
  userId!: string;

  @Field({ description: "Their display name (empty for LEFT)." })
  name!: string;

  @Field(() => String, { name: "assignmentId", nullable: true, description: "The assignment, for STARTED and SUBMITTED." })
  assignmentId!: string | null;

  @Field(() => String, { name: "chapterId", nullable: true, description: "The chapter, for CHAPTER_COMPLETED." })
  chapterId!: string | null;

  @Field(() => Float, { nullable: true, description: "The score in percent, for SUBMITTED." })
  percent!: number | null;

  @Field(() => Boolean, { nullable: true, description: "Whether a submission came after the due date, for SUBMITTED." })
  late!: boolean | null;

  @Field({ description: "When it happened." })
  at!: Date;
}

export function toActivityEvent(payload: ClassActivityPayload): ClassActivityEvent {
  return {
    kind: payload.kind,
    classId: payload.classId,
    userId: payload.userId,
    name: payload.name,
    assignmentId: payload.assignmentId ?? null,
    chapterId: payload.chapterId ?? null,
    percent: payload.percent ?? null,
    late: payload.late ?? null,
    at: new Date(payload.at),
  };
}
