import { peers, type AppModule } from "../app-module";
import { ChatCleanup } from "./chat.cleanup";
import { ChatResolver } from "./chat.resolver";
import { ChatRetriever } from "./chat.retrieval";
import { ChatService } from "./chat.service";
import { ClaimChecker } from "./claim-check";
import { ChatGenerations } from "./generations";

/** The AI tutor: sessions, grounded answers streamed over websockets. */
export const chatModule: AppModule<{ chat: ChatService }> = {
  name: "chat",
  cachedQueries: ["chatSession", "chatSessions"],
  resolvers: [ChatResolver],
  create({ config, ai, pubSub, log, services }) {
    const settings = config.chat;
    const retriever = new ChatRetriever(peers(services, ["search"], { settings }));
    const claims = new ClaimChecker({ ai, log });
    const generations = new ChatGenerations({ ai, pubSub, retriever, claims, log, flushMs: settings.streamFlushMs });
    const cleanup = new ChatCleanup(pubSub);
    const chat = new ChatService(peers(services, ["courses", "uploads"], { pubSub, generations, cleanup, settings }));
    return {
      services: { chat },
      handles: {
        "course.deleted": ({ courseId }) => cleanup.deleteForCourse(courseId),
        "user.deleted": ({ userId }) => cleanup.userDeleted(userId),
      },
      start: () => chat.ready(),
      /** Ends the answers this process is writing (FAILED, text kept). */
      stop: () => generations.close(),
    };
  },
};
