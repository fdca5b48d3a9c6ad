// The sliding-window pacer the outbox uses to stay inside the platforms' send limits.
import { describe, expect, it } from 'vitest';
import { SendPacer, type Pace } from '../../src/app/send-pacer.js';

const perSecond = (count: number): Pace => ({ count, windowMs: 1000 });

describe('SendPacer', () => {
  it('lets `count` calls through in a window, then says how long until the oldest leaves it', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    const limits: [string, Pace][] = [['chat:a', perSecond(5)]];
    for (let i = 0; i < 5; i++) {
      expect(pacer.waitMs(limits)).toBe(0);
      pacer.record(['chat:a']);
      now += 100;
    }
    expect(pacer.waitMs(limits)).toBe(500); // the first call, at 0, leaves the window at 1000
    now = 999;
    expect(pacer.waitMs(limits)).toBe(1);
    now = 1000;
    expect(pacer.waitMs(limits)).toBe(0);
  });

  it('keeps targets apart and honours the strictest of several limits', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    for (let i = 0; i < 5; i++) pacer.record(['app', 'chat:a']);
    expect(pacer.waitMs([['chat:b', perSecond(5)]])).toBe(0);
    const app: [string, Pace][] = [['app', perSecond(50)], ['app', { count: 5, windowMs: 60_000 }]];
    expect(pacer.waitMs(app)).toBe(60_000);
    now = 30_000;
    expect(pacer.waitMs(app)).toBe(30_000);
  });

  it('never keeps more than the window’s worth of history', () => {
    let now = 0;
    const pacer = new SendPacer(() => now);
    for (let i = 0; i < 10_000; i++) {
      pacer.record(['chat:a']);
      now += 10;
      expect(pacer.waitMs([['chat:a', perSecond(1000)]])).toBe(0);
    }
  });
});
