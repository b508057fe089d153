import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one Gatehouse process, on its own registry (never the global one, so tests
 * and several apps in one process do not collide). Gauges are read at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly signInFailures = new Counter({
    name: 'gatehouse_sign_in_failures_total',
    help: 'Sign-ins refused for a wrong email or password.',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'gatehouse_events_published_total',
    help: 'Events published to subscribers, by topic.',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly keeperSweepSeconds = new Histogram({
    name: 'gatehouse_keeper_sweep_seconds',
    help: 'Duration of one background sweep (session expiry or portal keep-alive).',
    labelNames: ['keeper'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** A gauge with one label whose values are read when Prometheus scrapes. */
  labelledGauge(name: string, help: string, label: string, read: () => Record<string, number>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, count] of Object.entries(read())) this.set({ [label]: value }, count);
      },
    });
  }

  /** Times `run` into the keeper histogram. */
  async timeSweep<T>(keeper: string, run: () => Promise<T>): Promise<T> {
    const end = this.keeperSweepSeconds.startTimer({ keeper });
    try {
      return await run();
    } finally {
      end();
    }
  }
}
