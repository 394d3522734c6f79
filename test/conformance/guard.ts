/** How a guarded test ended: with its own result, by hanging, or by an exception nobody caught. */
export type Guarded<T> = { done: T } | { timedOut: true } | { crashed: unknown };

export async function within<T>(promise: Promise<T>, ms: number): Promise<Guarded<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Guarded<T>>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([promise.then((done) => ({ done })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The engine runs in this process, so an exception it fails to catch would end the whole run.
 * The guard turns it into the failure of the test that was running.
 */
export class CrashGuard {
  private report?: (error: unknown) => void;

  constructor() {
    const onCrash = (error: unknown) => {
      if (this.report) this.report(error);
      else console.error("uncaught exception between tests:", error);
    };
    process.on("uncaughtException", onCrash);
    process.on("unhandledRejection", onCrash);
  }

  async run<T>(promise: Promise<T>, ms: number): Promise<Guarded<T>> {
    const crash = new Promise<Guarded<T>>((resolve) => {
      this.report = (crashed) => resolve({ crashed });
    });
    try {
      return await Promise.race([within(promise, ms), crash]);
    } finally {
      this.report = undefined;
    }
  }
}
