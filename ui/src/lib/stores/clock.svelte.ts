// One ticking "now" for every countdown on screen, so they all change on the same beat.

export class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private source: () => number = Date.now) {
    this.now = source();
  }

  start(intervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  tick(): void {
    this.now = this.source();
  }
}

export const clock = new Clock();
