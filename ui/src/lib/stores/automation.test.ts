// Guarded automation in the window: amounts typed by people, a job's state in words (both
// languages), and the store following `job_changed` events so an order card finds its job.
import { beforeEach, describe, expect, it } from "vitest";
import { en, id } from "../i18n";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import { automation, jobStatus, parseAmount } from "./automation.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc({ demo: true });
  useIpc(mock);
  automation.reset();
});

describe("automation", () => {
  it("reads amounts in the offer's currency", () => {
    expect(parseAmount("5.000", "IDR")).toEqual({ currency: "IDR", minor: 5000 });
    expect(parseAmount("Rp 12,500", "IDR")).toEqual({ currency: "IDR", minor: 12500 });
    expect(parseAmount("0.30", "USD")).toEqual({ currency: "USD", minor: 300_000 });
    expect(parseAmount("1,5", "USD")).toEqual({ currency: "USD", minor: 1_500_000 });
    for (const bad of ["", "0", "-3", "cheap", "1.2.3.4"]) expect(parseAmount(bad, "IDR")).toBeNull();
  });

  it("follows a job from its start to its end and says where it is", async () => {
    await automation.start();
    const item = { type: "otpzap_s1", product_id: 814090256, country_id: 7, platform_id: 1 } as const;
    const job = await mock.startAutoReplace({
      req: item, replace_after_ms: 60_000, max_replacements: 2, cap: { currency: "IDR", minor: 10_000 }, max_price: null, use_blocklist: true,
    });
    const orderId = job.orders[0].order_id;
    expect(automation.jobOf(orderId)?.id).toBe(job.id);
    expect(jobStatus(automation.jobOf(orderId)!).key).toBe("auto.status.watching");
    mock.emit({ type: "job_changed", job: { ...job, state: "gave_up", reason: "cap_reached" } });
    const s = jobStatus(automation.jobOf(orderId)!);
    expect(s.key).toBe("auto.status.gaveUp.cap_reached");
    // Every state a job can end in has words in both languages.
    for (const reason of ["cap_reached", "max_replacements", "price_above_max", "out_of_stock", "other"]) {
      const key = `auto.status.gaveUp.${reason}` as keyof typeof en;
      expect(en[key]).toBeTruthy();
      expect(id[key]).toBeTruthy();
    }
    await mock.stopAutoReplace(job.id);
    expect(jobStatus(automation.jobOf(orderId)!).key).toBe("auto.status.stoppedByYou");
  });
});
