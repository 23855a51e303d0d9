// Write backpressure for streamed responses: wait until the socket drains or the client goes away.
import type { ServerResponse } from 'node:http';

/**
 * Resolves when the socket wants more data ('drain') or the client went away ('close'): a client
 * that disconnects never drains, so waiting on 'drain' alone would hang the handler. Leaves no
 * listener behind.
 */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
