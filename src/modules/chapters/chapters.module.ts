import { peers, type AppModule } from "../app-module";
import { ChapterResolver } from "./chapter.resolver";
import { ChapterService } from "./chapter.service";

/** A course's chapters, their places and the lock that keeps places 1..n. */
export const chaptersModule: AppModule<{ chapters: ChapterService }> = {
  name: "chapters",
  cachedQueries: ["chapter"],
  resolvers: [ChapterResolver],
  create({ events, services }) {
    const chapters = new ChapterService(peers(services, ["courses"], { events }));
    return {
      services: { chapters },
      handles: { "course.deleted": ({ courseId }) => chapters.deleteForCourse(courseId) },
      start: () => chapters.ready(),
    };
  },
};
