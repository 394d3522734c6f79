import { peers, type AppModule } from "../app-module";
import { AssignmentResolver, ClassWorkResolver, DashboardAssignmentResolver } from "./assignment.resolver";
import { AssignmentService } from "./assignment.service";
import { ClassInvitationResolver, ClassResolver } from "./class.resolver";
import { ClassService } from "./class.service";
import { classesRoutes } from "./classes.rest";
import type { ClassBook } from "./gradebook-book";
import { GradebookCache } from "./gradebook-cache";
import { GradebookService } from "./gradebook.service";
import { SharingService } from "./sharing.service";

/** Classes: rosters, join codes and invitations, sharing with classes and users, assignments, the gradebook and the live teacher view. */
export const classesModule: AppModule<{ classes: ClassService; sharing: SharingService; assignments: AssignmentService; gradebook: GradebookService }> = {
  name: "classes",
  resolvers: [ClassResolver, ClassInvitationResolver, AssignmentResolver, ClassWorkResolver, DashboardAssignmentResolver],
  create({ config, pubSub, log, services }) {
    const gradebooks = new GradebookCache<ClassBook>({ pubSub, log });
    const classes = new ClassService(peers(services, ["users"], { pubSub, gradebooks }));
    const sharing = new SharingService(peers(services, ["courses", "quizzes", "decks", "users"], { classes }));
    const assignments = new AssignmentService(
      peers(services, ["courses", "quizzes", "attempts", "chapters", "progress", "decks", "users"], { classes, sharing, gradebooks, graceSeconds: config.classes.timedGraceSeconds }),
    );
    const gradebook = new GradebookService(peers(services, ["attempts", "quizzes", "users"], { classes, assignments, cache: gradebooks }));
    return {
      services: { classes, sharing, assignments, gradebook },
      handles: {
        "progress.chapterCompleted": ({ userId, classIds, chapter, at }) => assignments.chapterCompleted(userId, classIds, chapter, at),
        "review.done": ({ userId, classIds, deckId, at }) => assignments.cardReviewed(userId, classIds, deckId, at),
        "user.deleted": async ({ userId, email }) => {
          await assignments.userDeleted(userId);
          await classes.userDeleted(userId, email, (classId) => assignments.classDeleted(classId));
        },
      },
      routes: [{ path: "/api/v1/classes", router: classesRoutes(peers(services, ["auth"], { classes, gradebook })) }],
      async start() {
        gradebooks.start();
        await Promise.all([classes.ready(), assignments.ready()]);
      },
      stop: () => gradebooks.stop(),
    };
  },
};
