import { resolve } from "node:path";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import type { AppPubSub } from "../infra/pubsub";
import { scalarsMap } from "../lib/scalars";
import { AdminResolver } from "../modules/admin/admin.resolver";
import { authChecker } from "../modules/auth/auth-checker";
import { AuthResolver } from "../modules/auth/auth.resolver";
import { ChapterResolver } from "../modules/chapters/chapter.resolver";
import { ChatResolver } from "../modules/chat/chat.resolver";
import { CourseResolver } from "../modules/courses/course.resolver";
import { LEARNING_RESOLVERS } from "../modules/dashboard/learning.module";
import { GenerationResolver } from "../modules/courses/generation.resolver";
import { HealthResolver } from "../modules/health/health.resolver";
import { ProgressResolver } from "../modules/progress/progress.resolver";
import { SearchResolver } from "../modules/search/search.resolver";
import { UploadResolver } from "../modules/uploads/upload.resolver";
import { UserResolver } from "../modules/users/user.resolver";

/** The committed SDL at the repository root (same relative place from src/ and dist/). */
export const SCHEMA_FILE = resolve(__dirname, "../../schema.graphql");

/** The GraphQL schema of the whole API, built from the modules' resolvers. */
export function buildAppSchema(pubSub: AppPubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      HealthResolver,
      AuthResolver,
      UserResolver,
      AdminResolver,
      CourseResolver,
      ChapterResolver,
      ProgressResolver,
      GenerationResolver,
      UploadResolver,
      SearchResolver,
      ChatResolver,
      ...LEARNING_RESOLVERS,
    ],
    authChecker,
    pubSub,
    scalarsMap,
    validate: {
      forbidUnknownValues: false,
      // Keep submitted values (passwords among them) out of error responses and logs.
      validationError: { target: false, value: false },
    },
  });
}

/** SDL sorted by name, so the committed schema.graphql only changes when the schema does. */
export function printStableSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}
