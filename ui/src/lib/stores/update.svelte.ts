// The "Update ready" banner's state: the backend checks, downloads and verifies updates by itself;
// the UI only shows a ready one and asks to restart on the user's click. A restart refused because
// a purchase is under way is offered again as soon as the backend says none is.

import { toAppError } from "../errors";
import { ipc } from "../ipc";
import type { AppError, UpdateReady, UpdateStatus } from "../types";

/** How often the status is read again while a purchase holds the restart back. */
export const RECHECK_MS = 3000;

export class UpdateStore {
  status = $state<UpdateStatus>({ state: "none" });
  /** The restart was asked for and accepted: the app is going away. */
  restarting = $state(false);
  /** Why the last restart was refused (a purchase under way, a failed install). */
  refused = $state<AppError | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** The update waiting for the user's click, if any. */
  get ready(): UpdateReady | null {
    const s = this.status;
    return s.state === "ready" ? { version: s.version, notes: s.notes } : null;
  }

  /** A purchase is under way: the restart button waits. */
  get waitingForPurchase(): boolean {
    const s = this.status;
    return s.state === "ready" && (s.purchase_under_way || this.refused?.code === "purchase_under_way");
  }

  /** Whether the restart button can be pressed now. */
  get canRestart(): boolean {
    return this.ready !== null && !this.restarting && !this.waitingForPurchase;
  }

  /** Read where updating stands (at start, and while a purchase holds the restart back). */
  async load(): Promise<void> {
    try {
      this.apply(await ipc().updateStatus());
    } catch {
      // Quiet: an update is never worth an error toast; the event still brings a ready one.
      this.watch();
    }
  }

  apply(s: UpdateStatus): void {
    this.status = s;
    if (s.state === "ready" && !s.purchase_under_way && this.refused?.code === "purchase_under_way") {
      this.refused = null;
    }
    this.watch();
  }

  /** The backend's `UpdateReady` event. */
  announced(u: UpdateReady): void {
    this.apply({ state: "ready", version: u.version, notes: u.notes, purchase_under_way: false });
  }

  /** The user's click: install and restart, or say why not (and offer again when possible). */
  async restart(): Promise<void> {
    if (!this.canRestart) return;
    this.restarting = true;
    this.refused = null;
    try {
      await ipc().restartToUpdate();
      // The app is restarting; the banner keeps saying so until the window goes.
    } catch (e) {
      this.restarting = false;
      this.refused = toAppError(e);
      if (this.refused.code === "purchase_under_way" && this.status.state === "ready") {
        this.status = { ...this.status, purchase_under_way: true };
      }
      this.watch();
    }
  }

  /** While a purchase holds the restart back, read the status again every few seconds. */
  private watch(): void {
    if (!this.waitingForPurchase) {
      this.stop();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.load();
    }, RECHECK_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export const update = new UpdateStore();
