// What the window shows (screen, catalog tab and search, History filters, the Email and Top up
// forms' fields that are not secret), kept by the backend (`save_view` / `saved_view`). After the
// window has been hidden for a while the backend closes the webview to save memory; the window it
// builds again reads this back and opens where the user left it. Screens publish their part while
// they are open and take it back once when they open in a rebuilt window.

import { ipc } from "../ipc";
import type { CatalogView, EmailView, HistoryView, SavedView, TopupView } from "../types";

/** A saved view changes at typing speed: it is sent once typing pauses. */
export const SAVE_DELAY_MS = 300;

type Part = "history" | "email" | "topup";
type Parts = { history: HistoryView; email: EmailView; topup: TopupView };

export class ViewStore {
  history = $state<HistoryView | null>(null);
  email = $state<EmailView | null>(null);
  topup = $state<TopupView | null>(null);
  /** Saving starts once the saved view was read back (or there was none). */
  ready = $state(false);
  /** The view read back at start, handed out once per screen part. */
  private restored: SavedView | null = null;
  private taken = new Set<Part>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSent = "";

  /** Read the view the backend kept (a rebuilt window); `null` in a fresh start. */
  async load(): Promise<SavedView | null> {
    try {
      this.restored = (await ipc().savedView()) ?? null;
    } catch {
      this.restored = null;
    }
    return this.restored;
  }

  /** The screen and catalog to put back, when there is a saved view. */
  get saved(): SavedView | null {
    return this.restored;
  }

  /** A screen's saved part, once: a screen opened later in the same window starts afresh. */
  take<K extends Part>(part: K): Parts[K] | null {
    if (this.taken.has(part)) return null;
    this.taken.add(part);
    return (this.restored?.[part] as Parts[K] | null | undefined) ?? null;
  }

  /** The whole view now (reactive: read inside an effect, it tracks every part). */
  snapshot(screen: string, catalog: CatalogView): SavedView {
    return $state.snapshot({
      screen,
      catalog,
      history: this.history,
      email: this.email,
      topup: this.topup,
    }) as SavedView;
  }

  /** Send `view` to the backend after a pause (only when it changed). */
  saveSoon(view: SavedView, delayMs = SAVE_DELAY_MS): void {
    const text = JSON.stringify(view);
    if (text === this.lastSent) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastSent = text;
      ipc()
        .saveView(view)
        .catch(() => (this.lastSent = ""));
    }, delayMs);
  }
}

export const view = new ViewStore();
