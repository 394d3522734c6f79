/** A failed assertion of the test format, as opposed to an unexpected error while running a test. */
export class AssertionFailure extends Error {}
