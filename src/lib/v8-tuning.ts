import { setFlagsFromString } from 'node:v8';

/** The V8 flags `gatehouse serve` sets when it starts (README: Runtime tuning (V8)). */
export const SERVER_V8_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/**
 * Sets {@link SERVER_V8_FLAGS} in this process; call it before the app is built. Allocation-site
 * pretenuring lets V8 allocate straight into the old generation at code sites whose objects mostly
 * survived. Opening thousands of subscriptions runs the same sites as an HTTP request (context, scope
 * checks, loaders), so V8 then pretenured every request's objects: they died in the old generation and,
 * through their pointers into the young one, kept the rest of the request alive through scavenges.
 * With 5,000 subscribed sockets open that cost `me` a third of its throughput (bench/README.md).
 * Returns the flags, for the start-up log.
 */
export function tuneV8ForServer(): readonly string[] {
  for (const flag of SERVER_V8_FLAGS) setFlagsFromString(flag);
  return SERVER_V8_FLAGS;
}
