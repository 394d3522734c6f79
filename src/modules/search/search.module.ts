import { peers, type AppModule } from "../app-module";
import { ChapterIndexer } from "./chapter-indexer";
import { LexicalIndex } from "./lexical-index";
import { PassageRanker } from "./passage-ranker";
import { PassageStore } from "./passage-store";
import { SearchResolver } from "./search.resolver";
import { SearchService } from "./search.service";
import { VectorIndex } from "./vector-index";

/** Passages with their embeddings (chapters' and uploads'), the vector and lexical indexes, and hybrid search. */
export const searchModule: AppModule<{ search: SearchService; passages: PassageStore }> = {
  name: "search",
  resolvers: [SearchResolver],
  create({ ai, config, log, services }) {
    const passages = new PassageStore(ai);
    const index = new VectorIndex({ dimensions: (options) => ai.embeddingDimensions(options), log });
    const lexical = new LexicalIndex({ log });
    const ranker = new PassageRanker({ vectors: index, lexical, ranking: config.search.ranking, log });
    const search = new SearchService(peers(services, ["courses"], { ai, ranker, lexical }));
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
        if (config.search.ranking === "hybrid") await lexical.ensure();
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
