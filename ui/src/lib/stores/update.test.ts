// The update banner's logic against the stand-in backend: shown once an update is ready, the
// click restarts, a purchase under way holds it back and it is offered again once that is done.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { friendlyError } from "../errors";
import { translate } from "../i18n";
import { RECHECK_MS, UpdateStore } from "./update.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc();
  useIpc(mock);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Let a call to the stand-in backend finish under fake timers. */
async function settle<T>(p: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(0);
  return p;
}

describe("UpdateStore", () => {
  it("shows nothing until an update is ready, then offers the restart", async () => {
    const u = new UpdateStore();
    await u.load();
    expect(u.ready).toBeNull();
    expect(u.canRestart).toBe(false);
    await u.restart();
    expect(mock.calls).not.toContain("restartToUpdate");

    // Announced by the backend's event, or found by the status at start.
    await mock.onUpdateReady((r) => u.announced(r));
    mock.announceUpdate("0.2.0", "Faster codes");
    expect(u.ready).toEqual({ version: "0.2.0", notes: "Faster codes" });
    const fresh = new UpdateStore();
    await fresh.load();
    expect(fresh.ready?.version).toBe("0.2.0");

    expect(u.canRestart).toBe(true);
    expect(mock.restarts).toBe(0); // never without the click
    await u.restart();
    expect(mock.restarts).toBe(1);
    expect(u.restarting).toBe(true);
    expect(u.canRestart).toBe(false); // no second click while the app goes away
  });

  it("waits for a purchase under way and offers again once it is done", async () => {
    vi.useFakeTimers();
    const u = new UpdateStore();
    mock.announceUpdate("0.2.0");
    await settle(u.load());
    mock.paidCallsInFlight = 1;
    await settle(u.restart());
    expect(mock.restarts).toBe(0);
    expect(u.refused?.code).toBe("purchase_under_way");
    expect(u.waitingForPurchase).toBe(true);
    expect(u.canRestart).toBe(false);
    expect(friendlyError(u.refused, "en")).toBe(translate("en", "error.purchase_under_way"));

    // Still under way at the next look: still waiting.
    const looks = () => mock.calls.filter((c) => c === "updateStatus").length;
    const before = looks();
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(looks()).toBe(before + 1);
    expect(u.canRestart).toBe(false);

    // Done: offered again, and the click goes through.
    mock.paidCallsInFlight = 0;
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(u.waitingForPurchase).toBe(false);
    expect(u.refused).toBeNull();
    expect(u.canRestart).toBe(true);
    // No more polling once free.
    const settled = looks();
    await vi.advanceTimersByTimeAsync(RECHECK_MS * 3);
    expect(looks()).toBe(settled);
    await settle(u.restart());
    expect(mock.restarts).toBe(1);
  });

  it("a purchase the status reports holds the button before any click", async () => {
    const u = new UpdateStore();
    mock.announceUpdate("0.2.0");
    mock.paidCallsInFlight = 2;
    await u.load();
    expect(u.waitingForPurchase).toBe(true);
    expect(u.canRestart).toBe(false);
    u.stop();
  });

  it("a failed install is said, and can be tried again", async () => {
    const u = new UpdateStore();
    mock.announceUpdate("0.2.0");
    await u.load();
    mock.failNext.set("restartToUpdate", { code: "update_failed", message: "x", provider: null, unlocks_at: null, attempt_id: null });
    await u.restart();
    expect(u.refused?.code).toBe("update_failed");
    expect(u.waitingForPurchase).toBe(false);
    expect(u.canRestart).toBe(true);
    expect(friendlyError(u.refused, "id")).toBe(translate("id", "error.update_failed"));
    await u.restart();
    expect(mock.restarts).toBe(1);
    expect(u.refused).toBeNull();
  });
});
