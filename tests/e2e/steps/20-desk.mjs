// The reseller's desk in the real window: a number bought for a customer with the price list's
// sale price, its code arriving, the filled message copied and shared (wa.me through the
// backend's opener), paid marked in the customers view; screenshots in English and Indonesian.

import { existsSync, readFileSync } from "node:fs";

const DESK_CODE = "615204";
const CUSTOMER = "Budi Santoso";

export default function register(ctx) {
  const { step, $, textOf, open, shot, settle, sim, assert, env } = ctx;
  let card;
  let orderId;
  let phone;

  step("desk: buy a number for a customer, the sale price suggested by the price list", async () => {
    const browser = ctx.browser;
    await (await (await ctx.offer("WhatsApp", "otpzap_s1")).$('[data-testid="buy"]')).click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    // The default price list (30%, at least Rp 1.000, rounded up to Rp 100) fills the price.
    const sale = await $("buy-sale");
    await browser.waitUntil(async () => /^\d+$/.test(await sale.getValue()), { timeout: 5_000, timeoutMsg: "no suggested sale price" });
    const suggested = Number(await sale.getValue());
    assert.equal(suggested % 100, 0, `rounded to Rp 100: ${suggested}`);
    assert.match(await textOf("buy-sale-hint"), /\+ 30%/);
    await (await $("buy-customer")).setValue(CUSTOMER);
    await (await $("buy-note")).setValue("toko HP Sinar");
    await settle();
    await shot("desk-buy-confirm-en");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });
    // The new card carries the customer, the sale price and "not paid".
    await browser.waitUntil(
      async () => {
        for (const c of await browser.$$('[data-testid="order"]')) {
          const who = await c.$('[data-testid="order-customer"]');
          if ((await who.isExisting()) && (await who.getText()) === CUSTOMER) {
            card = c;
            return true;
          }
        }
        return false;
      },
      { timeout: 15_000, timeoutMsg: "no card shows the customer" },
    );
    orderId = await card.getAttribute("data-order-id");
    phone = (await (await card.$('[data-testid="order-number"]')).getText()).replace(/\D/g, "");
    assert.match(await (await card.$('[data-testid="order-sale"]')).getText(), new RegExp(`Sold for IDR ${suggested.toLocaleString("en-US")}`));
    assert.equal(await (await card.$('[data-testid="order-paid"]')).getText(), "Not paid");
    assert.equal((await (await card.$('[data-testid="order-note"]')).getProperty("textContent")).trim(), "toko HP Sinar");
  });

  step("desk: the code arrives; the copied message is the number then the code", async () => {
    const browser = ctx.browser;
    // Before the code: only the number message.
    const before = await invoke("copy_customer_message", { orderId, lang: "en" });
    assert.match(before, /^Your WhatsApp number: \+?\d+/);
    assert.ok(!before.includes("Your code"), before);
    await sim("POST", "deliver", { ref: await card.getAttribute("data-remote-id"), code: DESK_CODE });
    const code = await card.$('[data-testid="otp-code"]');
    await code.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the code did not appear" });
    const copy = await card.$('[data-testid="copy-message"]');
    await copy.click();
    await browser.waitUntil(async () => (await copy.getText()).includes("Message copied"), { timeout: 5_000, timeoutMsg: "copy message did not confirm" });
    // What the app copied (the backend returns the text it put on the clipboard).
    const text = await invoke("copy_customer_message", { orderId, lang: "en" });
    const digits = text.replace(/\D/g, "");
    assert.ok(digits.includes(phone), `the message names the number (${text})`);
    assert.match(text, /^Your WhatsApp number: /);
    assert.ok(text.endsWith(`\nYour code: ${DESK_CODE}`), text);
    await card.scrollIntoView({ block: "center" });
    await settle();
    await shot("desk-card-code-en");

    // Share on WhatsApp: the backend builds the wa.me link and opens it (run.sh's stand-in browser).
    await (await card.$('[data-testid="share-whatsapp"]')).click();
    const log = env("OPENED_URLS");
    let opened = "";
    await browser.waitUntil(
      async () => {
        opened = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").pop() : "";
        return opened.startsWith("https://wa.me/");
      },
      { timeout: 10_000, timeoutMsg: `no wa.me link opened (${opened})` },
    );
    const shared = new URL(opened).searchParams.get("text");
    assert.equal(shared, text, "the shared text is the copied message");
  });

  step("desk: the customers view shows what is owed; marking paid clears it", async () => {
    const browser = ctx.browser;
    await open("history", "history");
    await (await $("history-tab-customers")).click();
    await (await $("customers-table")).waitForDisplayed({ timeout: 10_000 });
    const row = await browser.$(`[data-testid="customer-row"][data-name="${CUSTOMER}"]`);
    await row.waitForDisplayed({ timeout: 5_000 });
    const owed = await row.$('[data-testid="customer-owed"]');
    assert.match(await owed.getText(), /^IDR [\d,]+$/);
    await settle();
    await shot("desk-customers-en");
    await (await row.$('[data-testid="customer-open"]')).click();
    const paid = await $("customer-order-paid");
    await paid.waitForDisplayed({ timeout: 5_000 });
    assert.equal(await paid.isSelected(), false);
    await paid.click();
    await browser.waitUntil(async () => (await textOf("customer-owes")) === "–", { timeout: 5_000, timeoutMsg: "owed did not clear" });
    await settle();
    await shot("desk-customer-paid-en");
    await (await $("customers-back")).click();
    await browser.waitUntil(async () => (await (await $("customers-total-owed")).getText()) === "–", { timeout: 5_000 });
    // The card follows: paid.
    await open("main", "main");
    await browser.waitUntil(async () => (await (await card.$('[data-testid="order-paid"]')).getText()).includes("Paid"), {
      timeout: 5_000,
      timeoutMsg: "the card does not show paid",
    });
  });

  step("desk: settings (price list, messages) and the desk in Bahasa Indonesia", async () => {
    const browser = ctx.browser;
    await open("settings", "settings");
    const note = await $("price-rate-note");
    await note.scrollIntoView({ block: "center" });
    assert.match(await note.getText(), /fallback Rp 16500/);
    await (await $("price-rate")).setValue("16250");
    await (await $("price-save")).click();
    await browser.waitUntil(async () => /Rp 16250/.test(await note.getText()) && !/fallback/.test(await note.getText()), {
      timeout: 5_000,
      timeoutMsg: "the rate was not saved",
    });
    await settle();
    await shot("desk-settings-prices-en");
    await (await $("templates")).scrollIntoView({ block: "center" });
    await settle();
    await shot("desk-settings-templates-en");

    await ctx.language("id");
    await (await $("template-lang-id")).click();
    const number = await $("template-number");
    await number.scrollIntoView({ block: "center" });
    assert.match(await number.getValue(), /^Nomor \{service\} kamu: \{phone\}/);
    await settle();
    await shot("desk-settings-templates-id");
    await (await $("price-list")).scrollIntoView({ block: "start" });
    await settle();
    await shot("desk-settings-prices-id");
    await open("main", "main");
    await card.scrollIntoView({ block: "center" });
    assert.equal(await (await card.$('[data-testid="copy-message"]')).getText(), "Salin pesan");
    const id = await invoke("copy_customer_message", { orderId, lang: "id" });
    assert.ok(id.endsWith(`\nKodenya: ${DESK_CODE}`), id);
    await settle();
    await shot("desk-card-id");
    await open("history", "history");
    await (await $("history-tab-customers")).click();
    await (await $("customers-table")).waitForDisplayed({ timeout: 10_000 });
    await settle();
    await shot("desk-customers-id");
    await (await $("history-tab-list")).click();
    await ctx.language("en");
  });

  /** A UI command as the window calls it; rejects with the AppError's JSON. */
  async function invoke(cmd, args) {
    return ctx.browser.execute(
      (c, a) =>
        window.__TAURI_INTERNALS__.invoke(c, a).catch((e) => {
          throw new Error(JSON.stringify(e));
        }),
      cmd,
      args,
    );
  }
}
