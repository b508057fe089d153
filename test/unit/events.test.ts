import { describe, expect, it } from 'vitest';
import { createEvents } from '../../src/events.js';

describe('events', () => {
  it('routes by key and gives each subscriber its own stream', async () => {
    const events = createEvents();
    const a1 = events.subscribe('session', 'ses_A');
    const a2 = events.subscribe('session', 'ses_A');
    const b = events.subscribe('session', 'ses_B');
    // Pull once so every listener is attached.
    const nextA1 = a1.next();
    const nextA2 = a2.next();
    const nextB = b.next();
    events.publish('session', 'ses_A', { sessionId: 'ses_A', type: 'REVOKED', reason: 'SIGNED_OUT' });
    events.publish('session', 'ses_B', { sessionId: 'ses_B', type: 'EXPIRED', reason: 'EXPIRED' });
    expect((await nextA1).value).toEqual({ sessionId: 'ses_A', type: 'REVOKED', reason: 'SIGNED_OUT' });
    expect((await nextA2).value).toEqual({ sessionId: 'ses_A', type: 'REVOKED', reason: 'SIGNED_OUT' });
    expect((await nextB).value).toEqual({ sessionId: 'ses_B', type: 'EXPIRED', reason: 'EXPIRED' });
    // Nothing else is queued for anyone.
    events.publish('session', 'ses_C', { sessionId: 'ses_C', type: 'REVOKED', reason: 'SIGNED_OUT' });
    const pending = await Promise.race([a1.next().then(() => 'got'), new Promise((r) => setTimeout(() => r('none'), 50))]);
    expect(pending).toBe('none');
    await Promise.all([a1.return(), a2.return(), b.return()]);
  });

  it('stops listening when a subscriber returns', async () => {
    const events = createEvents();
    const stream = events.subscribe('admins');
    const other = events.subscribe('admins');
    const first = stream.next();
    const otherFirst = other.next();
    events.publish('admins', { type: 'REQUESTED', userId: 'usr_1', at: 1 });
    expect((await first).value).toMatchObject({ userId: 'usr_1' });
    expect((await otherFirst).value).toMatchObject({ userId: 'usr_1' });
    await stream.return();
    expect(events.subscriberCount('admins')).toBe(1);
    const otherSecond = other.next();
    events.publish('admins', { type: 'REQUESTED', userId: 'usr_2', at: 2 });
    expect((await otherSecond).value).toMatchObject({ userId: 'usr_2' }); // the other subscriber still hears it...
    expect((await stream.next()).done).toBe(true); // ...but the returned stream is finished.
    await other.return();
  });

  it('serves tens of thousands of subscribers on one key, in subscription order, and forgets them one by one', async () => {
    const events = createEvents();
    const streams = Array.from({ length: 20_000 }, () => events.subscribe('jobs'));
    const pulls = streams.map((stream) => stream.next());
    expect(events.subscriberCount('jobs')).toBe(20_000);
    const order: number[] = [];
    pulls.forEach((pull, i) => void pull.then(() => order.push(i)));
    events.publish('jobs', { type: 'POSTED', jobId: 'job_1' } as never);
    const values = await Promise.all(pulls);
    expect(values.every((v) => (v.value as { jobId: string }).jobId === 'job_1')).toBe(true);
    expect(order).toEqual(streams.map((_, i) => i));
    // Every other one leaves; the rest still hear the next event, and the count follows.
    await Promise.all(streams.filter((_, i) => i % 2 === 0).map((stream) => stream.return()));
    expect(events.subscriberCount('jobs')).toBe(10_000);
    expect(events.listenersByTopic()).toEqual({ jobs: 10_000 });
    const rest = streams.filter((_, i) => i % 2 === 1);
    const next = rest.map((stream) => stream.next());
    events.publish('jobs', { type: 'POSTED', jobId: 'job_2' } as never);
    expect((await Promise.all(next)).map((v) => (v.value as { jobId: string }).jobId)).toEqual(rest.map(() => 'job_2'));
    await Promise.all(rest.map((stream) => stream.return()));
    expect(events.subscriberCount('jobs')).toBe(0);
  });

  it('attaches a listener on the first pull only, and a return ends a waiting pull at once', async () => {
    const events = createEvents();
    const stream = events.subscribe('jobs');
    // Never pulled: no listener, so a stream nobody iterates holds nothing.
    expect(events.subscriberCount('jobs')).toBe(0);
    const waiting = stream.next();
    expect(events.subscriberCount('jobs')).toBe(1);
    expect(events.listenersByTopic()).toEqual({ jobs: 1 });
    await stream.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(events.subscriberCount('jobs')).toBe(0);
    expect(events.listenersByTopic()).toEqual({ jobs: 0 });
    // Returned before any pull: nothing was attached, nothing to detach.
    const unused = events.subscribe('jobs');
    await unused.return();
    expect(events.subscriberCount('jobs')).toBe(0);
    expect((await unused.next()).done).toBe(true);
  });

  it('buffers for a slow subscriber in order, dropping the oldest past 1024', async () => {
    const events = createEvents();
    const stream = events.subscribe('admins');
    const first = stream.next();
    for (let i = 0; i < 1030; i++) events.publish('admins', { type: 'REQUESTED', userId: `usr_${i}`, at: i });
    expect((await first).value).toMatchObject({ userId: 'usr_0' });
    // 1029 more were published while nobody pulled: the 1024 newest are kept, in order.
    expect((await stream.next()).value).toMatchObject({ userId: 'usr_6' });
    expect((await stream.next()).value).toMatchObject({ userId: 'usr_7' });
    await stream.return();
  });
});
