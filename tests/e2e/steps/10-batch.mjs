// Working at volume (issue 11): "Buy N" of one offer (three numbers, three Idempotency-Keys in the
// simulator's request log), a batch that stops when the price rises (a sentence, nothing bought
// above the confirmed price), the orders board's keyboard (1 selects a card, C copies its code,
// N its number), the code toast's Copy button, and "Buy again" with today's price first.
// Screenshots in English and Bahasa Indonesia at the run's 1366×768.

export default function register(ctx) {
  const { step, $, textOf, open, waitIn, shot, settle, sim, assert, offer } = ctx;
  const b = () => ctx.browser;

  const cardIds = () => b().execute(() => [...document.querySelectorAll('[data-testid="order"]')].map((e) => e.dataset.orderId));
  const createKeys = async () => {
    const log = await sim("GET", "requests");
    return log.requests.filter((r) => r.method === "POST" && r.path.includes("order/create")).map((r) => r.idempotency_key);
  };
  /** Open the confirm dialog of the first OTPZap Server 1 WhatsApp offer; returns its price text. */
  /** Open the confirm of the first WhatsApp Server 1 row; `fresh`: first read the list again
   *  until a row shows this price (the catalog re-reads by itself at most every 20 s). */
  async function confirmS1(fresh = null) {
    let row = await offer("WhatsApp", "otpzap_s1");
    if (fresh) {
      await (await $("catalog-refresh")).click();
      await ctx.waitIn(
        (p) => [...document.querySelectorAll('[data-testid="offer"]')].some((r) => r.textContent.includes(p)),
        fresh,
        `the catalog does not show ${fresh}`,
      );
      row = await $("offer");
    }
    await (await row.$('[data-testid="buy"]')).click();
    await (await $("buy-confirm")).waitForDisplayed({ timeout: 5_000 });
    return textOf("buy-price");
  }
  async function setCount(n) {
    const input = await $("buy-count");
    await input.clearValue();
    await input.setValue(String(n));
    await settle(200);
  }
  /** The product and price (rupiah) of the newest Server 1 number at the simulator. */
  async function newestS1() {
    const orders = await sim("GET", "orders");
    const s1 = orders.sms.filter((o) => o.server === 1 && o.product_id).sort((a, b) => b.order_id - a.order_id);
    assert.ok(s1.length, "a Server 1 number at the simulator");
    return { product: s1[0].product_id, price: s1[0].price };
  }

  let product;
  let price;

  step("Buy N: three numbers of one offer, each with its own Idempotency-Key, all on the board", async () => {
    await open("main", "main");
    const before = new Set(await cardIds());
    await sim("DELETE", "requests");
    const shown = await confirmS1();
    await setCount(3);
    assert.match(await textOf("buy-confirm-button"), new RegExp(`^Buy 3 for ${shown.replace(/[.]/g, "\\.")} each$`));
    assert.ok(await (await $("buy-max")).isDisplayed(), "a maximum price field");
    assert.ok(await (await $("buy-floor")).isDisplayed(), "a balance floor field");
    assert.match(await textOf("buy-total"), /in all$/);
    await settle(600);
    await shot("batch-confirm");
    await (await $("buy-confirm-button")).click();
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 60_000, timeoutMsg: "the batch did not finish" });
    const fresh = await waitIn(
      (known) => {
        const ids = [...document.querySelectorAll('[data-testid="order"]')].map((e) => e.dataset.orderId).filter((id) => !known.includes(id));
        return ids.length >= 3 ? ids : null;
      },
      [...before],
      "three new orders on the board",
    );
    assert.equal(fresh.length, 3, `three new cards (${fresh})`);
    const keys = await createKeys();
    assert.equal(keys.length, 3, `three creates at the provider (${JSON.stringify(keys)})`);
    assert.ok(keys.every((k) => typeof k === "string" && k.length >= 16), "each create carries its key");
    assert.equal(new Set(keys).size, 3, "three distinct Idempotency-Keys");
    ({ product, price } = await newestS1());
    await settle(600);
    await shot("batch-3-bought");
  });

  step("a batch stops when the price rises: a sentence, nothing bought above the confirmed price", async () => {
    await sim("DELETE", "requests");
    await sim("POST", "offers", { product_id: product, price: price + 200, after_sales: 1 });
    await confirmS1();
    await setCount(4);
    await (await $("buy-confirm-button")).click();
    const stop = await $("batch-stop");
    await stop.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the batch did not stop" });
    assert.equal(await stop.getAttribute("data-code"), "price_changed");
    assert.match(await stop.getText(), /^Stopped after 1 of 4: the price went up, so nothing more was bought\./);
    assert.match(await textOf("batch-count"), /^1 of 4 bought$/);
    assert.equal((await createKeys()).length, 1, "one create, none above the confirmed price");
    await shot("batch-stopped-price");
    await (await $("batch-close")).click();
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 5_000 });

    // In Bahasa Indonesia: the price rises again after one more sale.
    await ctx.language("id", "main");
    await sim("POST", "offers", { product_id: product, price: price + 400, after_sales: 1 });
    await confirmS1((price + 200).toLocaleString("id-ID"));
    await setCount(3);
    assert.match(await textOf("buy-confirm-button"), /^Beli 3 seharga Rp [\d.]+ per nomor$/);
    await shot("batch-confirm-id");
    await (await $("buy-confirm-button")).click();
    await (await $("batch-stop")).waitForDisplayed({ timeout: 60_000, timeoutMsg: "the batch did not stop (id)" });
    assert.match(await textOf("batch-stop"), /^Berhenti setelah 1 dari 3: harganya naik/);
    await shot("batch-stopped-price-id");
    await (await $("batch-close")).click();
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 5_000 });
    await ctx.language("en", "main");
  });

  step("keyboard: 1 selects the first card, C copies its code, N its number; the code toast has Copy", async () => {
    const first = await $("order");
    const id = await first.getAttribute("data-order-id");
    const ref = await first.getAttribute("data-remote-id");
    await sim("POST", "deliver", { ref, code: "913577" });
    const code = await first.$('[data-testid="otp-code"]');
    await code.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the code did not arrive" });
    // The code's toast stays (20 s, longer under the mouse) with its own Copy button.
    const toastCopy = await $("toast-copy");
    await toastCopy.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no Copy on the code toast" });
    await toastCopy.click();
    await b().waitUntil(async () => (await toastCopy.getText()).includes("Copied"), { timeout: 5_000, timeoutMsg: "the toast's Copy did not confirm" });

    await b().execute(() => document.activeElement?.blur());
    await b().keys("1");
    await b().waitUntil(async () => (await first.getAttribute("data-selected")) === "true", { timeout: 5_000, timeoutMsg: "1 did not select the first card" });
    await b().keys("c");
    const copyCode = await first.$('[data-testid="copy-code"]');
    await b().waitUntil(async () => (await copyCode.getText()).includes("Copied"), { timeout: 5_000, timeoutMsg: "C did not copy the code" });
    await b().keys("n");
    const copyNumber = await first.$('[data-testid="copy-number"]');
    await b().waitUntil(async () => (await copyNumber.getText()).includes("Copied"), { timeout: 5_000, timeoutMsg: "N did not copy the number" });
    // X on a number with its code: OTPZap does not cancel it; the key says so, nothing is sent.
    await sim("DELETE", "requests");
    await b().keys("x");
    await settle(600);
    const sent = (await sim("GET", "requests")).requests.filter((r) => r.path.includes("cancel"));
    assert.equal(sent.length, 0, "no cancel sent for a number with its code");
    assert.equal(await first.getAttribute("data-order-id"), id);
    await shot("keyboard-selected-code");
  });

  step("Buy again: B shows today's price first; confirming buys exactly one more", async () => {
    const before = new Set(await cardIds());
    await sim("DELETE", "requests");
    await b().execute(() => document.activeElement?.blur());
    await b().keys("b");
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 15_000, timeoutMsg: "B did not open the confirm dialog" });
    assert.match(await dialog.getText(), /Buy the same again\?/);
    const shown = await textOf("buy-price");
    assert.equal(shown, `IDR ${(price + 400).toLocaleString("en-US")}`, "today's price, after the rises");
    assert.equal(await textOf("buy-was"), `last time IDR ${(price + 200).toLocaleString("en-US")}`, "what the repeated number cost");
    assert.equal((await createKeys()).length, 0, "nothing bought before confirming");
    await settle(800);
    await shot("buy-again-confirm");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });
    await waitIn(
      (known) => [...document.querySelectorAll('[data-testid="order"]')].some((e) => !known.includes(e.dataset.orderId)),
      [...before],
      "the number bought again is on the board",
    );
    assert.equal((await createKeys()).length, 1, "exactly one purchase");

    // The button on a card, in Bahasa Indonesia.
    await ctx.language("id", "main");
    const withAgain = await $("buy-again");
    await withAgain.waitForDisplayed({ timeout: 10_000 });
    assert.equal((await withAgain.getText()).trim(), "Beli lagi");
    await withAgain.click();
    await (await $("buy-confirm")).waitForDisplayed({ timeout: 15_000 });
    assert.match(await (await $("buy-confirm")).getText(), /Beli yang sama lagi\?/);
    await settle(800);
    await shot("buy-again-confirm-id");
    await b().keys("Escape");
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 5_000 });
    await b().execute(() => document.activeElement?.blur());
    await b().keys("?");
    await (await $("help")).waitForDisplayed({ timeout: 5_000 });
    assert.match(await textOf("help"), /Pilih kartu pesanan 1–9/);
    await shot("shortcuts-board-id");
    await b().keys("Escape");
    await ctx.language("en", "main");
  });
}
