import { Types } from "mongoose";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { QuizAttempt } from "./attempt.model";
import { ItemFlag } from "./item-stats";
import { Quiz } from "./quiz.model";

registerEnumType(ItemFlag, {
  name: "ItemFlag",
  description: "Why a question deserves its author's second look.",
  valuesConfig: {
    ALMOST_EVERYONE_MISSES: { description: "Fewer than one in five attempts get it right: check the key and the wording." },
    BEST_SCORERS_MISS_MORE: { description: "The best-scoring attempts miss it more often than the weakest: likely ambiguous or mis-keyed." },
  },
});

@ObjectType({ description: "One page of quizzes, newest first." })
export class QuizPage extends PageOf(Quiz) {}

@ObjectType({ description: "One page of attempts, newest first." })
export class QuizAttemptPage extends PageOf(QuizAttempt) {}


@ObjectType({ description: "How a quiz has gone for everyone who took it." })
export class QuizStats {
  @Field(() => Int, { description: "How many attempts were submitted." })
  attempts!: number;

  @Field(() => Float, { name: "averagePercent", description: "Average score of all attempts, in percent (0 without attempts)." })
  averagePercent!: number;
}

@ObjectType({ description: "Item statistics of one question, from all attempts: for the quiz's authors." })
export class QuestionStats {
  @Field({ description: "The question." })
  questionId!: Types.ObjectId;

  @Field(() => Int, { description: "How many attempts answered it (chose an option or wrote an answer)." })
  answered!: number;

  @Field(() => Float, { description: "Share of the attempts that had this question (taken since it was written) that got it right, 0 to 1; unanswered counts as wrong." })
  correctShare!: number;

  @Field(() => [Int], { description: "How many attempts chose each option, by option index; empty for short answers." })
  optionCounts!: number[];

  @Field(() => [ItemFlag], { description: "Problems the statistics suggest; judged from 5 attempts on." })
  flags!: ItemFlag[];
}
