import { beforeEach, describe, expect, it, vi } from "vitest";
import { historyView, NO_FILTER, savedHistory } from "../history";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { restoreView } from "../session.svelte";
import type { SavedView } from "../types";
import { app } from "./app.svelte";
import { catalog } from "./catalog.svelte";
import { SAVE_DELAY_MS, ViewStore } from "./view.svelte";

const saved: SavedView = {
  screen: "history",
  catalog: { tab: "fav", search: "tele" },
  history: { tab: "profit", text: "wa", provider: "numberotp", kind: "order", status: "done", from: "2026-11-01", to: "2026-11-30", period: "custom" },
  email: null,
  topup: { qris: "50000", usdt: "" },
};

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc();
  useIpc(mock);
});

describe("the view kept for a rebuilt window", () => {
  it("History's filters go to the backend and come back as they were", () => {
    const filter = { text: "wa", provider: "numberotp" as const, type: "order" as const, status: "done" as const, from: "2026-11-01", to: "2026-11-30" };
    const v = historyView({ tab: "profit", filter, period: "custom" });
    expect(v.kind).toBe("order");
    expect(savedHistory(v)).toEqual({ tab: "profit", filter, period: "custom" });
  });

  it("a saved view the screen does not know falls back to no filter", () => {
    const odd = { tab: "x", text: "t", provider: "evil", kind: "?", status: "nope", from: "yesterday", to: "2026-13", period: "forever" };
    expect(savedHistory(odd)).toEqual({ tab: "list", period: "all", filter: { ...NO_FILTER, text: "t" } });
  });

  it("reads the saved view once per screen part, and saves only changes, after a pause", async () => {
    mock.view = structuredClone(saved);
    const view = new ViewStore();
    expect(await view.load()).toEqual(saved);
    vi.useFakeTimers();
    try {
      expect(view.take("history")?.text).toBe("wa");
      expect(view.take("history")).toBeNull(); // a screen opened later starts afresh
      expect(view.take("email")).toBeNull();
      expect(view.take("topup")?.qris).toBe("50000");

      view.history = saved.history;
      const now = view.snapshot("history", { tab: "all", search: "" });
      view.saveSoon(now);
      view.saveSoon(now);
      expect(mock.calls.filter((c) => c === "saveView")).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS + 10);
      expect(mock.calls.filter((c) => c === "saveView")).toHaveLength(1);
      expect(mock.view?.history?.text).toBe("wa");
      view.saveSoon(now); // unchanged: not sent again
      await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS + 10);
      expect(mock.calls.filter((c) => c === "saveView")).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a fresh start has no saved view", async () => {
    expect(await new ViewStore().load()).toBeNull();
  });

  it("restores the screen and the catalog tab and search of a working window", () => {
    app.screen = "main";
    restoreView(saved);
    expect(app.screen).toBe("history");
    expect(catalog.source).toBe("fav");
    expect(catalog.service).toBe("tele");
    // Not a known screen or tab: the first screen and "all" stay.
    app.screen = "main";
    catalog.source = "all";
    restoreView({ ...saved, screen: "welcome", catalog: { tab: "bogus", search: "" } });
    expect(app.screen).toBe("main");
    expect(catalog.source).toBe("all");
    // The user picked a screen while the saved view was being read: their choice stands.
    app.screen = "main";
    const before = app.moves;
    app.go("deposits");
    restoreView(saved, before);
    expect(app.screen).toBe("deposits");
    // On the welcome screen (no key), nothing is forced.
    app.screen = "welcome";
    restoreView(saved);
    expect(app.screen).toBe("welcome");
  });
});
