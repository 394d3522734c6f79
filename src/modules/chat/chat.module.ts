import mongoose from "mongoose";
import type { Config } from "../../config";
import type { AiProvider } from "../../infra/ai/provider";
import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import type { CourseService } from "../courses/course.service";
import type { SearchService } from "../search/search.service";
import type { UploadService } from "../uploads/upload.service";
import type { ChatCleanup } from "./chat.cleanup";
import { ChatRetriever } from "./chat.retrieval";
import { ChatService } from "./chat.service";
import { ChatGenerations } from "./generations";

export interface Chat {
  services: { chat: ChatService };
  start(): Promise<void>;
  /** Ends the answers this process is writing (FAILED, text kept). */
  close(): Promise<void>;
}

/** The AI tutor, wired once per process. `cleanup` is the one the course module was given for `deleteCourse`. */
export function createChat(deps: {
  config: Config;
  ai: AiProvider;
  pubSub: AppPubSub;
  log: Logger;
  cleanup: ChatCleanup;
  courses: Pick<CourseService, "readable">;
  uploads: Pick<UploadService, "readable">;
  search: Pick<SearchService, "search">;
}): Chat {
  const settings = deps.config.chat;
  const retriever = new ChatRetriever({ search: deps.search, settings });
  const generations = new ChatGenerations({ ai: deps.ai, pubSub: deps.pubSub, retriever, log: deps.log, flushMs: settings.streamFlushMs });
  const chat = new ChatService({
    pubSub: deps.pubSub,
    generations,
    cleanup: deps.cleanup,
    courses: deps.courses,
    uploads: deps.uploads,
    settings,
  });
  return {
    services: { chat },
    async start() {
      // As the course module does: with the database still unreachable, indexes are built on connection.
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return chat.ready();
      mongoose.connection.once("connected", () => {
        chat.ready().catch((error: unknown) => deps.log.error({ err: error }, "chat: building indexes failed"));
      });
    },
    close: () => generations.close(),
  };
}
