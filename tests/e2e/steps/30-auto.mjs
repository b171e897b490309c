// e2e steps of guarded automation (issue 11): an auto-replace job that gives up at its spending
// cap (short times: a new number after 6 s, the price raised through the simulator's
// `POST /_sim/offers` so the next number would pass the cap), and a watched offer whose stock
// comes back (an alert notification, seen in the D-Bus log). Screenshots in English and Bahasa
// Indonesia.

/** OTPZap Server 1 WhatsApp Indonesia (the product the docs describe, 2835 rupiah). */
const PRODUCT = 814090256;

export default function register(ctx) {
  const { step, $, textOf, open, shot, settle, sim, assert, waitIn, NOTIFY_LOG } = ctx;
  const browser = () => ctx.browser;

  const whatsappS1 = () => ctx.offer("WhatsApp", "otpzap_s1");

  step("auto-replace: a job buys, then gives up at its cap when the next number would pass it", async () => {
    // Today 2835 (earlier steps may have raised it); after one more sale the product costs 6000:
    // replacing would spend 6000 of a 4000 cap.
    await sim("POST", "offers", { product_id: PRODUCT, price: 2835 });
    await sim("POST", "offers", { product_id: PRODUCT, price: 6000, after_sales: 1 });
    const offer = await whatsappS1();
    await (await offer.$('[data-testid="buy"]')).click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    await (await $("auto-replace-on")).click();
    await (await $("auto-after")).setValue("0.1");
    await (await $("auto-max")).setValue("3");
    await (await $("auto-cap")).setValue("4000");
    await shot("auto-replace-options");
    assert.match(await textOf("buy-confirm-button"), /Start auto-replace/);
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });

    const job = await $("order-job");
    await job.waitForDisplayed({ timeout: 20_000, timeoutMsg: "no auto-replace state on the order card" });
    await browser().waitUntil(async () => (await job.getAttribute("data-job-state")) === "gave_up", {
      timeout: 40_000,
      timeoutMsg: "the job did not give up",
    });
    assert.equal(await job.getAttribute("data-job-reason"), "cap_reached");
    assert.match(await job.getText(), /gave up: cap reached/);
    assert.match(await job.getText(), /2,835 of IDR 4,000 spent/);
    // One number bought, none at 6000; the cap was never passed.
    const charges = (await sim("GET", "ledger")).filter((e) => e.kind === "charge" && e.amount.replace("-", "") === "6000");
    assert.equal(charges.length, 0, "nothing bought at the raised price");
    const card = await job.parentElement();
    await card.scrollIntoView();
    await shot("auto-replace-gave-up");
    await ctx.language("id");
    await (await $("nav-main")).click();
    const jobId = await $("order-job");
    await jobId.waitForDisplayed({ timeout: 10_000 });
    assert.match(await jobId.getText(), /batas belanja tercapai/);
    await shot("auto-replace-gave-up-id");
    await ctx.language("en");
    await sim("POST", "offers", { product_id: PRODUCT, price: 2835 });
  });

  step("watch: an alert with a notification when stock comes back", async () => {
    // Sold out before the watch is set (what a reseller watches), so the app's own once-a-minute
    // look can never find stock between saving the watch and the stock-out below.
    await sim("POST", "offers", { product_id: PRODUCT, stock: 0 });
    await whatsappS1();
    // Read the list again and take the sold-out row (another WhatsApp product is in stock).
    await (await $("catalog-refresh")).click();
    await waitIn(
      () => [...document.querySelectorAll('[data-testid="offer"]')].some((r) => r.classList.contains("soldout")),
      null,
      "the catalog does not show the product sold out",
    );
    const offer = await browser().$('[data-testid="offer"].soldout');
    await (await offer.$('[data-testid="watch"]')).click();
    const dialog = await $("watch-dialog");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    await shot("watch-dialog");
    await (await $("watch-save")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 10_000 });
    // Sold out: a look finds nothing to tell.
    await open("settings", "watch-list");
    const entry = await $("watch-entry");
    await entry.waitForDisplayed({ timeout: 10_000 });
    await (await $("watch-check")).click();
    await browser().waitUntil(async () => /stock 0/.test(await entry.getText()), {
      timeout: 20_000,
      timeoutMsg: "the watch did not see the stock-out",
    });
    assert.equal(await entry.getAttribute("data-state"), "watching");
    // Back in stock: the alert fires once, as a desktop notification.
    await sim("POST", "offers", { product_id: PRODUCT, stock: 7 });
    await (await $("watch-check")).click();
    await browser().waitUntil(async () => (await entry.getAttribute("data-state")) === "alerted", {
      timeout: 20_000,
      timeoutMsg: "the watch did not fire",
    });
    const { existsSync, readFileSync } = await import("node:fs");
    let log = "";
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      log = existsSync(NOTIFY_LOG) ? readFileSync(NOTIFY_LOG, "utf8") : "";
      if (log.includes("Available again")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(/Available again: WhatsApp[^"]*OTPZap S1/.test(log), `a watch notification was sent (log: ${log.slice(-800)})`);
    assert.ok(/"buy"\s+string "Buy"|string "buy"/.test(log), "the notification offers Buy");
    await (await $("watch-list")).scrollIntoView();
    await shot("watch-alerted", { screen: true });
    await ctx.language("id");
    await open("settings", "watch-list");
    await (await $("watch-list")).scrollIntoView();
    assert.match(await (await $("watch-entry")).getText(), /Tersedia/);
    await shot("watch-alerted-id");
    await (await $("automation-settings")).scrollIntoView();
    await shot("automation-settings-id");
    await ctx.language("en");
    await (await $("automation-settings")).scrollIntoView();
    await shot("automation-settings");
    // Plenty of stock again for the steps after these.
    await sim("POST", "offers", { product_id: PRODUCT, stock: 100000 });
  });
}
