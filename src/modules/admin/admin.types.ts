import { ObjectType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { User } from "../users/user.model";

@ObjectType({ description: "One page of users, newest first." })
export class UserPage extends PageOf(User) {}
