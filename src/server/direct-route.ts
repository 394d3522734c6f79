import type { RequestListener } from "node:http";
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from "express";

/** Where a request that no handler answered, or that failed, ends: the app's own 404 and error handler. */
export interface RouteEnd {
  notFound: RequestHandler;
  handleError: ErrorRequestHandler;
}

/**
 * One method and exact path (`POST /graphql`: nearly all the traffic) handled by a fixed list of
 * Express handlers run in order, as Express runs them (its request and response prototypes,
 * rejected promises and `next(error)` to the app's error handler, a request none answers to its
 * 404), without walking Express's router: matching a dozen layers against the path per request
 * was about a fifth of the CPU of an answer from the response cache (0.44 ms a hit before, 0.35
 * after; docs/architecture.md, "Twelfth session"). Every other request goes to the app, which keeps
 * the same route for the paths Express also matches to it (`/graphql/`, a query string).
 */
export class DirectRoute {
  private handlers: readonly RequestHandler[] = [];

  constructor(
    private readonly app: Express,
    private readonly method: string,
    private readonly path: string,
    private readonly end: RouteEnd,
  ) {}

  /** The handlers, once they exist (Apollo starts after the HTTP server is made); until then the app answers. */
  use(handlers: readonly RequestHandler[]): void {
    this.handlers = handlers;
  }

  readonly listener: RequestListener = (incoming, outgoing) => {
    if (incoming.method !== this.method || incoming.url !== this.path || this.handlers.length === 0) {
      this.app(incoming, outgoing);
      return;
    }
    // What Express's `app.handle` and its router set before the first handler.
    const req = incoming as Request;
    const res = outgoing as Response;
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, this.app.request);
    Object.setPrototypeOf(res, this.app.response);
    res.locals = Object.create(null) as Response["locals"];
    req.originalUrl = req.url;
    req.baseUrl = "";
    req.params = {};
    this.run(req, res);
  };

  private run(req: Request, res: Response): void {
    const handlers = this.handlers;
    let index = 0;
    const fail = (error: unknown) => {
      // The error handler hands on only what it cannot answer (headers already sent): as Express's final handler does.
      this.end.handleError(error, req, res, () => req.socket.destroy());
    };
    const call = (handler: RequestHandler, then: NextFunction) => {
      try {
        const returned = handler(req, res, then) as unknown;
        if (returned instanceof Promise) returned.then(undefined, (rejected: unknown) => fail(rejected ?? new Error("Rejected promise")));
      } catch (thrown) {
        fail(thrown);
      }
    };
    const next: NextFunction = (error?: unknown) => {
      if (error !== undefined && error !== null && error !== "route" && error !== "router") {
        fail(error);
        return;
      }
      // Past the last handler, or leaving the route (`next("route")`): nothing else here answers it.
      const handler = error === undefined || error === null ? handlers[index++] : undefined;
      if (handler) call(handler, next);
      else call(this.end.notFound, () => undefined);
    };
    next();
  }
}
