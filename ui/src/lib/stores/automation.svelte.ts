// Guarded automation in the window: the auto-replace jobs (kept current from `job_changed`
// events, so an order card can say "replacing 2/3" or "gave up: cap reached") and the watched
// offers. The backend (engine) runs and stores both; this only mirrors them.

import { ipc, type Unlisten } from "../ipc";
import type { Currency, JobView, Money, WatchView } from "../types";

class Automation {
  jobs = $state<JobView[]>([]);
  watches = $state<WatchView[]>([]);
  private started: Promise<void> | null = null;
  private unlisten: Unlisten | null = null;

  /** Load once and follow the events (safe to call from every component that needs it). */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.unlisten = await ipc().onEngineEvent((e) => {
        if (e.type === "job_changed") this.put(e.job);
        if (e.type === "watch_alert") this.putWatch(e.watch);
      });
      await this.reload();
    })().catch(() => {
      this.started = null;
    });
    return this.started;
  }

  async reload(): Promise<void> {
    const [jobs, watches] = await Promise.all([ipc().autoReplaceJobs(false), ipc().watches()]);
    this.jobs = jobs;
    this.watches = watches;
  }

  /** After a mode switch: everything is another order book. */
  reset(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.started = null;
    this.jobs = [];
    this.watches = [];
  }

  put(job: JobView): void {
    const i = this.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) this.jobs[i] = job;
    else this.jobs = [job, ...this.jobs];
  }

  putWatch(w: WatchView): void {
    const i = this.watches.findIndex((x) => x.id === w.id);
    if (i >= 0) this.watches[i] = w;
    else this.watches = [w, ...this.watches];
  }

  /** The job an order belongs to (its newest one). */
  jobOf(orderId: string): JobView | undefined {
    return this.jobs.find((j) => j.orders.some((o) => o.order_id === orderId));
  }
}

export const automation = new Automation();

/**
 * An amount typed by a person in `currency` ("3000", "3.000", "0.30") as Money; `null` when it is
 * not a positive amount.
 */
export function parseAmount(text: string, currency: Currency): Money | null {
  const t = text.replace(/rp|idr|usd|\$|\s/gi, "");
  if (currency === "IDR") {
    if (!/^\d{1,3}([.,]\d{3})*$|^\d+$/.test(t)) return null;
    const n = Number(t.replace(/[.,]/g, ""));
    return Number.isSafeInteger(n) && n > 0 ? { currency, minor: n } : null;
  }
  const m = /^(\d+)(?:[.,](\d{1,6}))?$/.exec(t);
  if (!m) return null;
  const minor = Number(m[1]) * 1_000_000 + Number((m[2] ?? "").padEnd(6, "0") || "0");
  return Number.isSafeInteger(minor) && minor > 0 ? { currency, minor } : null;
}

/** A job's state in a few words, for its order card: the i18n key and its values. */
export function jobStatus(j: JobView): { key: string; vars: Record<string, string | number> } {
  const vars = { n: j.replacements, k: j.max_replacements };
  switch (j.state) {
    case "running":
      return { key: j.replacements ? "auto.status.replacing" : "auto.status.watching", vars };
    case "done":
      return { key: "auto.status.done", vars };
    case "gave_up":
      return { key: `auto.status.gaveUp.${j.reason ?? "other"}`, vars };
    default:
      return { key: j.reason === "stopped_by_user" ? "auto.status.stoppedByYou" : "auto.status.stopped", vars };
  }
}
