import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../src/clock.js';

describe('SandboxClock', () => {
  it('follows the wall clock plus what the admin API advanced', () => {
    let wall = 1_000_000;
    const clock = new SandboxClock(() => wall);
    expect(clock.now()).toBe(1_000_000);
    wall += 250;
    expect(clock.now()).toBe(1_000_250);
    expect(clock.advance(60_000)).toBe(1_060_250);
    wall += 1;
    expect(clock.now()).toBe(1_060_251);
  });

  it('never goes back when the wall clock steps back: it holds that step as offset and runs on', () => {
    let wall = 5_000_000;
    const clock = new SandboxClock(() => wall);
    expect(clock.now()).toBe(5_000_000);
    wall -= 3_600_000; // an hour back (NTP, a VM's clock set right)
    expect(clock.now()).toBe(5_000_000);
    wall += 10;
    expect(clock.now()).toBe(5_000_010);
    wall += 3_600_000; // and forward again: the clock keeps its lead (never a jump back later)
    expect(clock.now()).toBe(8_600_010);
    expect(clock.offset).toBe(3_600_000);
  });

  it('notBefore: a restart whose journal ends later than the wall clock goes on from there', () => {
    let wall = 2_000_000;
    const clock = new SandboxClock(() => wall);
    clock.notBefore(2_500_000);
    expect(clock.now()).toBe(2_500_000);
    wall += 5;
    expect(clock.now()).toBe(2_500_005);
    clock.notBefore(1_000_000); // earlier than now: nothing changes
    expect(clock.now()).toBe(2_500_005);
  });
});
