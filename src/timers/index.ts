// src/timers: clocks, the timer queue and the bpf_timer state machine.
export * from './ktime.js';
export * from './queue.js';
export * from './clock.js';
export * from './virtual.js';
export * from './real.js';
export * from './bpf_timer.js';
