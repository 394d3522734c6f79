/**
 * A command failure with MongoDB's numeric code and codeName, turned into an
 * `{ ok: 0, errmsg, code, codeName }` reply by the command layer.
 */
export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "MongoCommandError";
  }
}

export const ErrorCodes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidPipelineOperator: 168,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidIdField: 53,
  Location40324: 40324,
  DocumentTooLarge: 10334,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  Location51024: 51024,
  NoSuchKey: 4,
  Unauthorized: 13,
  AuthenticationFailed: 18,
  MechanismUnavailable: 334,
  ProtocolError: 17,
  UserNotFound: 11,
  RoleNotFound: 31,
  Location51003: 51003,
  NoReplicationEnabled: 76,
  DollarPrefixedFieldName: 52,
  CannotCreateIndex: 67,
  NotImplemented: 238,
  Location17419: 17419,
  Location40601: 40601,
  Location40415: 40415,
  DocumentValidationFailure: 121,
  CommandNotSupportedOnView: 166,
  ViewDepthLimitExceeded: 15894,
  MergeStageNoMatchingDocument: 13113,
  Interrupted: 11601,
  MaxTimeMSExpired: 50,
  QueryPlanKilled: 175,
  Location40602: 40602,
  Location40414: 40414,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

export function commandError(codeName: ErrorCodeName, message: string, extra?: Record<string, unknown>): MongoCommandError {
  return new MongoCommandError(ErrorCodes[codeName], codeName, message, extra);
}
