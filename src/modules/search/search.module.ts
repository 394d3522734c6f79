import { peers, type AppModule } from "../app-module";
import { ChapterIndexer } from "./chapter-indexer";
import { PassageStore } from "./passage-store";
import { SearchResolver } from "./search.resolver";
import { SearchService } from "./search.service";
import { VectorIndex } from "./vector-index";

/** Passages with their embeddings (chapters' and uploads'), the vector index and semantic search. */
export const searchModule: AppModule<{ search: SearchService; passages: PassageStore }> = {
  name: "search",
  resolvers: [SearchResolver],
  create({ ai, log, services }) {
    const passages = new PassageStore(ai);
    const index = new VectorIndex({ dimensions: (options) => ai.embeddingDimensions(options), log });
    const search = new SearchService(peers(services, ["courses"], { ai, index }));
    const chapterIndexer = new ChapterIndexer({ passages, log });
    const stopping = new AbortController();
    return {
      services: { search, passages },
      handles: {
        "chapter.saved": ({ chapter }) => chapterIndexer.saved(chapter),
        "chapter.deleted": ({ chapterId }) => chapterIndexer.deleted(chapterId),
        "course.deleted": ({ courseId }) => chapterIndexer.courseDeleted(courseId),
      },
      async start() {
        await passages.ready();
        await index.ensure();
        const { chapters } = services;
        void chapterIndexer
          .backfill(chapters, stopping.signal)
          .then((count) => count > 0 && log.info({ count }, "search: indexed chapters that had no passages"))
          .catch((error: unknown) => log.warn({ err: error }, "search: indexing existing chapters failed"));
      },
      /** Finishes the chapter indexing in flight. */
      async stop() {
        stopping.abort();
        await chapterIndexer.idle();
      },
    };
  },
};
