import { DateTimeResolver, EmailAddressResolver, ObjectIDResolver, URLResolver } from "graphql-scalars";
import { Types } from "mongoose";

/** ISO-8601 date-time strings; `Date` fields map to it without an explicit type function. */
export const DateTimeScalar = DateTimeResolver;
/** 24-hex-digit MongoDB ids; `Types.ObjectId` fields map to it without an explicit type function. */
export const ObjectIdScalar = ObjectIDResolver;
/** Use as `@Field(() => EmailAddressScalar)` on e-mail fields and arguments. */
export const EmailAddressScalar = EmailAddressResolver;
/** Use as `@Field(() => UrlScalar)` on link fields and arguments. */
export const UrlScalar = URLResolver;

/** For type-graphql's `scalarsMap`: which scalar a reflected TypeScript type becomes. */
export const scalarsMap = [
  { type: Date, scalar: DateTimeScalar },
  { type: Types.ObjectId, scalar: ObjectIdScalar },
];
