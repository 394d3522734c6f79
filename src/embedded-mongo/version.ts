/**
 * The MongoDB release the engine answers as: drivers pick features by its wire version (25 is
 * 8.0: the driver's MongoClient.bulkWrite needs it), spec tests and mongoose by its version.
 */
export const SERVER_VERSION = "8.0.0";
export const SERVER_VERSION_ARRAY = [8, 0, 0, 0];
export const MAX_WIRE_VERSION = 25;
export const FEATURE_COMPATIBILITY_VERSION = "8.0";
