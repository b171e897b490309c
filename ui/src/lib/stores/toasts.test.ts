// The corner messages' clocks: a code's toast stays 20 s unless dismissed, stands still while
// the mouse is over it and goes on with the time that was left; others keep their short times.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CODE_TOAST_MS, Toasts, defaultMs } from "./toasts.svelte";

describe("toasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const make = () => new Toasts(() => Date.now());

  it("a code's toast stays 20 s, then goes", () => {
    const ts = make();
    const id = ts.show("code", "Code 482913 arrived", undefined, { copy: { orderId: "o1", code: "482913" } });
    expect(ts.items[0].copy).toEqual({ orderId: "o1", code: "482913" });
    vi.advanceTimersByTime(CODE_TOAST_MS - 1);
    expect(ts.items.map((x) => x.id)).toEqual([id]);
    vi.advanceTimersByTime(1);
    expect(ts.items).toEqual([]);
  });

  it("under the mouse its clock stands still, then goes on with what was left", () => {
    const ts = make();
    const id = ts.show("code", "Code 1");
    vi.advanceTimersByTime(15_000);
    ts.pause(id);
    expect(ts.remaining(id)).toBe(5_000);
    vi.advanceTimersByTime(60_000);
    expect(ts.items).toHaveLength(1);
    expect(ts.items[0].paused).toBe(true);
    ts.pause(id); // a second enter changes nothing
    ts.resume(id);
    expect(ts.items[0].paused).toBe(false);
    vi.advanceTimersByTime(4_999);
    expect(ts.items).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ts.items).toHaveLength(0);
  });

  it("dismissed at once; pausing a gone toast does nothing", () => {
    const ts = make();
    const id = ts.show("code", "Code 2");
    ts.dismiss(id);
    expect(ts.items).toHaveLength(0);
    ts.pause(id);
    ts.resume(id);
    vi.advanceTimersByTime(30_000);
    expect(ts.items).toHaveLength(0);
  });

  it("other kinds keep their times; 0 stays until dismissed", () => {
    expect(defaultMs("info")).toBe(5000);
    expect(defaultMs("success")).toBe(5000);
    expect(defaultMs("error")).toBe(9000);
    expect(defaultMs("code")).toBe(20_000);
    const ts = make();
    ts.show("info", "a");
    const sticky = ts.show("error", "b", 0);
    vi.advanceTimersByTime(5000);
    expect(ts.items.map((x) => x.id)).toEqual([sticky]);
    expect(ts.remaining(sticky)).toBeNull();
  });

  it("at most four; the same text is not stacked; a pushed-out toast's clock is dropped", () => {
    const ts = make();
    const first = ts.show("code", "c0");
    for (let i = 1; i < 5; i++) ts.show("code", `c${i}`);
    expect(ts.items.map((x) => x.text)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(ts.remaining(first)).toBeNull();
    ts.show("code", "c4");
    expect(ts.items.filter((x) => x.text === "c4")).toHaveLength(1);
  });
});
