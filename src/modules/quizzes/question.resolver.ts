import { FieldResolver, Int, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { QuestionCitation, Question } from "./quiz.model";
import type { ShownQuestion } from "./quiz-viewer";

/** The parts of a question a learner must not see before submitting, for authors only. */
@Resolver(() => Question)
export class QuestionResolver {
  @FieldResolver(() => [Int], { nullable: true, description: "Indexes of the correct options; null unless you are one of the quiz's authors." })
  correctOptions(@Root() question: ShownQuestion): number[] | null {
    return question.keys_visible ? question.correct_options : null;
  }

  @FieldResolver(() => [String], { nullable: true, description: "Accepted short answers; null unless you are one of the quiz's authors." })
  acceptedAnswers(@Root() question: ShownQuestion): string[] | null {
    return question.keys_visible ? question.accepted_answers : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Why the answer is right; null unless you are one of the quiz's authors (learners see it in their attempt)." })
  explanation(@Root() question: ShownQuestion): string | null {
    return question.keys_visible ? question.explanation : null;
  }

  @FieldResolver(() => QuestionCitation, { nullable: true, description: "The passage the question comes from; null for hand-made questions and unless you are one of the quiz's authors." })
  citation(@Root() question: ShownQuestion): QuestionCitation | null {
    return question.keys_visible ? (question.citation ?? null) : null;
  }
}
