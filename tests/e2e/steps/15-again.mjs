// Issue 11, working at volume: "Buy again" on an older, finished order from History (today's price
// beside last time's, nothing bought before confirming, then exactly one create at the simulator),
// and "Stop" on a running "Buy N" (the number under way finishes, nothing after it is bought).
// Screenshots in English and Bahasa Indonesia at the run's 1366×768.

export default function register(ctx) {
  const { step, $, textOf, open, shot, settle, sim, assert } = ctx;
  const b = () => ctx.browser;

  /** Every paid create the simulator saw (OTPZap numbers and inboxes, NumberOTP activations). */
  const creates = async () => {
    const log = await sim("GET", "requests");
    return log.requests.filter((r) => r.method === "POST" && /\/order\/(email-)?create$|\/activations$/.test(r.path));
  };
  step("again: Buy again on a finished order in History shows today's price first and buys exactly one", async () => {
    await open("history", "history");
    await (await $("history-tab-list")).click();
    await (await $("history-type")).selectByAttribute("value", "order");
    await (await $("history-status")).selectByAttribute("value", "done");
    const again = await $("history-buy-again");
    await again.waitForDisplayed({ timeout: 15_000, timeoutMsg: "no Buy again on a finished order in History" });
    assert.equal((await again.getText()).trim(), "Buy again");
    // Not on deposits: none of the deposit rows carries the button.
    const onDeposits = await b().execute(
      () => [...document.querySelectorAll('[data-testid="history-row"][data-type="deposit"] [data-testid="history-buy-again"]')].length,
    );
    assert.equal(onDeposits, 0);
    await sim("DELETE", "requests");
    await again.click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 15_000, timeoutMsg: "Buy again did not open the confirm dialog" });
    assert.match(await dialog.getText(), /Buy the same again\?/);
    assert.match(await textOf("buy-price"), /^(IDR|USD) [\d.,]+$/, "today's price");
    assert.match(await textOf("buy-was"), /^last time (IDR|USD) [\d.,]+$/, "last time's price beside it");
    assert.equal((await creates()).length, 0, "nothing bought before confirming");
    await settle(800);
    await shot("again-history-confirm");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000, timeoutMsg: "the purchase did not finish" });
    await b().waitUntil(async () => (await creates()).length >= 1, { timeout: 10_000, timeoutMsg: "no create sent" });
    await settle(500);
    assert.equal((await creates()).length, 1, "exactly one purchase");

    // In Bahasa Indonesia: the same question and both prices; closing it buys nothing.
    await ctx.language("id", "history");
    await (await $("history-type")).selectByAttribute("value", "order");
    await (await $("history-status")).selectByAttribute("value", "done");
    const lagi = await $("history-buy-again");
    await lagi.waitForDisplayed({ timeout: 15_000, timeoutMsg: "no Beli lagi in History (id)" });
    assert.equal((await lagi.getText()).trim(), "Beli lagi");
    await sim("DELETE", "requests");
    await lagi.click();
    await dialog.waitForDisplayed({ timeout: 15_000, timeoutMsg: "Beli lagi did not open the confirm dialog" });
    assert.match(await dialog.getText(), /Beli yang sama lagi\?/);
    assert.match(await textOf("buy-was"), /^sebelumnya (Rp|USD) [\d.,]+$/, "last time's price (id)");
    await settle(800);
    await shot("again-history-confirm-id");
    await b().keys("Escape");
    await dialog.waitForDisplayed({ reverse: true, timeout: 5_000 });
    assert.equal((await creates()).length, 0, "nothing bought when the dialog was closed");
    await ctx.language("en", "history");
    await (await $("history-type")).selectByAttribute("value", "all");
    await (await $("history-status")).selectByAttribute("value", "all");
  });

  /** Buy `count` of the first Server 1 WhatsApp offer and press Stop once the first is bought;
   *  returns the stop sentence and how many were bought (the screenshots carry `suffix`). */
  async function buyThenStop(count, progress, suffix) {
    await (await (await ctx.offer("WhatsApp", "otpzap_s1")).$('[data-testid="buy"]')).click();
    await (await $("buy-confirm")).waitForDisplayed({ timeout: 5_000 });
    const input = await $("buy-count");
    await input.clearValue();
    await input.setValue(String(count));
    await settle(200);
    await (await $("buy-confirm-button")).click();
    const stopBtn = await $("batch-stop-button");
    await stopBtn.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no Stop while the batch runs" });
    await b().waitUntil(async () => progress.test(await textOf("batch-count")), { timeout: 20_000, timeoutMsg: "the first number was not bought" });
    await stopBtn.click();
    await (await $("batch-stopping")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "Stop was not acknowledged" });
    await shot(`again-batch-stopping${suffix}`);
    const stop = await $("batch-stop");
    await stop.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the batch did not stop" });
    assert.equal(await stop.getAttribute("data-code"), "stopped_by_user");
    const text = await stop.getText();
    await settle(2000);
    await shot(`again-batch-stopped${suffix}`);
    await (await $("batch-close")).click();
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 5_000 });
    return text;
  }

  step("again: Stop on a running Buy N finishes the number under way and buys nothing after it", async () => {
    // Each create takes 1.5 s at the provider, so Stop lands while the batch runs.
    const fault = await sim("POST", "faults", { kind: "delay", ms: 1500, method: "POST", path_contains: "/order/create" });
    const faultId = typeof fault === "number" ? fault : fault.id;
    try {
      await sim("DELETE", "requests");
      const text = await buyThenStop(5, /^1 of 5 bought/, "");
      const m = text.match(/^Stopped by you after (\d) of 5\./);
      assert.ok(m, `the stop sentence: ${text}`);
      const bought = Number(m[1]);
      assert.ok(bought >= 1 && bought <= 2, `stopped after the number under way (${bought})`);
      assert.equal((await creates()).length, bought, "nothing bought after the stop");

      // In Bahasa Indonesia.
      await ctx.language("id");
      await sim("DELETE", "requests");
      const teks = await buyThenStop(3, /^1 dari 3 terbeli/, "-id");
      const mi = teks.match(/^Dihentikan oleh Anda setelah (\d) dari 3\./);
      assert.ok(mi, `the stop sentence (id): ${teks}`);
      assert.equal((await creates()).length, Number(mi[1]), "nothing bought after the stop (id)");
      await ctx.language("en");
    } finally {
      await sim("DELETE", `faults/${faultId}`);
    }
    await open("main", "main");
  });
}
