import { peers, type AppModule } from "../app-module";
import { ProgressResolver } from "./progress.resolver";
import { ProgressService } from "./progress.service";

/** Enrollments and completed chapters. */
export const progressModule: AppModule<{ progress: ProgressService }> = {
  name: "progress",
  resolvers: [ProgressResolver],
  create({ events, services }) {
    const progress = new ProgressService(peers(services, ["courses", "chapters"], { events }));
    return {
      services: { progress },
      handles: {
        "course.deleted": ({ courseId }) => progress.deleteForCourse(courseId),
        "user.deleted": ({ userId }) => progress.userDeleted(userId),
        "course.generated": ({ courseId, ownerId }) => progress.addEnrollment(ownerId, courseId),
      },
      start: () => progress.ready(),
    };
  },
};
