/**
 * A value at hand, or one still to be read. A field resolver answering with the value itself lets
 * graphql-js complete the field, and an object whose fields are all at hand, without a promise;
 * a page of courses carrying what lists show saves hundreds of promises this way.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `f` of the value: at once if it is at hand, else once it is read. */
export function mapMaybe<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}
