import type { Types } from "mongoose";
import type { AppPubSub } from "../../infra/pubsub";
import { ChatMessageModel, ChatMessageStatus, ChatSessionModel } from "./chat.model";

/**
 * Deletes sessions with their messages, stopping answers still being written on any instance.
 */
export class ChatCleanup {
  constructor(private readonly pubSub: AppPubSub) {}

  async deleteSessions(sessionIds: Types.ObjectId[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const streaming = await ChatMessageModel.find({ session_id: { $in: sessionIds }, status: ChatMessageStatus.STREAMING })
      .select({ _id: 1 })
      .lean<{ _id: Types.ObjectId }[]>()
      .exec();
    for (const { _id } of streaming) this.pubSub.publish("CHAT_CONTROL", String(_id), { kind: "stop" });
    await ChatMessageModel.deleteMany({ session_id: { $in: sessionIds } }).exec();
    await ChatSessionModel.deleteMany({ _id: { $in: sessionIds } }).exec();
  }

  /** `user.deleted`: every session of theirs with its messages (answers still streaming stop). */
  async userDeleted(ownerId: Types.ObjectId): Promise<void> {
    const sessions = await ChatSessionModel.find({ owner_id: ownerId }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>().exec();
    await this.deleteSessions(sessions.map(({ _id }) => _id));
    await ChatMessageModel.deleteMany({ owner_id: ownerId }).exec();
  }

  /** Sessions scoped to a deleted course go with it. */
  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    const sessions = await ChatSessionModel.find({ "scope.course_id": courseId }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>().exec();
    await this.deleteSessions(sessions.map(({ _id }) => _id));
  }
}
