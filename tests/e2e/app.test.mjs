// The reseller's first session, end to end, on the built app: add a key (real keyring), see the
// balance, buy a number, the simulator delivers a code, the code shows in the window and in a
// desktop notification, cancel is refused while the 2-minute cooldown runs.
// Started by run.sh, which provides: APP_BINARY, TAURI_DRIVER_PORT, SIM_URL, NOTIFY_LOG, ARTIFACTS.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start this test with tests/e2e/run.sh`);
  return v;
};
const SIM = env("SIM_URL");
const ARTIFACTS = env("ARTIFACTS");
const NOTIFY_LOG = env("NOTIFY_LOG");
const KEY = "e2e-otpzap-key-7f3a";
const BALANCE = 150000;
const CODE = "482913";
const OOPPAY_KEY = "mk_MERCHANT_e2e_9c1d";
const NUMBEROTP_KEY = "notp_e2e_5b8e2c71";
const NUMBEROTP_CODE = "731905";
/** The app's identifier, as Tauri reads it (the single-instance plugin names its D-Bus object after it). */
const IDENTIFIER = JSON.parse(readFileSync(new URL("../../tauri.conf.json", import.meta.url), "utf8")).identifier;
/** The virtual screen (run.sh: a 1366×768 laptop) and the app's HOME (start at login). */
const [SCREEN_W, SCREEN_H] = (process.env.E2E_SCREEN ?? "1366x768").split("x").map(Number);
const APP_HOME = env("E2E_HOME");

mkdirSync(ARTIFACTS, { recursive: true });

async function sim(method, path, body) {
  const res = await fetch(`${SIM}/_sim/${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sim ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Start the app (tauri-driver launches it) and open a WebDriver session on its window. */
async function connect() {
  const b = await remote({
    hostname: "127.0.0.1",
    port: Number(env("TAURI_DRIVER_PORT")),
    logLevel: "silent",
    connectionRetryCount: 2,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: env("APP_BINARY") },
    },
  });
  await b.setTimeout({ implicit: 0 });
  return b;
}

/** Process ids of running copies of the app (a zombie has no exe link and is not counted). */
function appPids() {
  const app = env("APP_BINARY");
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/exe`) === app;
    } catch {
      return false; // not ours, or gone
    }
  });
}

/** Whether the single-instance D-Bus name of the app still has an owner on the session bus. */
function singleInstanceNameTaken() {
  try {
    const out = execFileSync(
      "dbus-send",
      ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner", `string:${IDENTIFIER}.SingleInstance`],
      { encoding: "utf8" },
    );
    return /boolean true/.test(out);
  } catch {
    return false;
  }
}

/** End the session and wait until the app has really exited and its single-instance name is free
 *  (a second copy started earlier would hand over to the dying one and quit). On a very busy
 *  machine the old copy may take long to exit: after a minute it is killed, as a crash would. */
async function disconnect() {
  await browser.deleteSession();
  const gone = async (ms) => {
    const deadline = Date.now() + ms;
    while ((appPids().length || singleInstanceNameTaken()) && Date.now() < deadline) await sleep(200);
    return !appPids().length && !singleInstanceNameTaken();
  };
  if (await gone(60_000)) return;
  for (const pid of appPids()) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  assert.ok(await gone(15_000), `the app did not exit (pids ${appPids()})`);
}

/** @type {WebdriverIO.Browser} */
let browser;
let shotNo = 0;

/** Save what the window shows (WebDriver) and, with `screen`, the whole X screen (notifications). */
async function shot(name, { screen = false } = {}) {
  shotNo += 1;
  // WebKitWebDriver captures the last painted frame: give a just-opened overlay time to paint.
  await browser.pause(300);
  const base = join(ARTIFACTS, `${String(shotNo).padStart(2, "0")}-${name}`);
  await browser.saveScreenshot(`${base}.png`);
  if (screen) {
    try {
      execFileSync("import", ["-window", "root", `${base}-screen.png`], { stdio: "ignore" });
    } catch {
      // ImageMagick missing: the WebDriver screenshot is enough.
    }
  }
}

// Steps build on each other: after a failure the rest are skipped instead of failing noisily.
let broken = false;
function step(name, fn) {
  it(name, async (t) => {
    if (broken) return t.skip("an earlier step failed");
    try {
      // A code's toast stays 20 s (longer under the pointer): one left by an earlier step must
      // not cover what this step clicks. Steps check their own toasts.
      await browser
        ?.execute(() => document.querySelectorAll('[data-testid="toast"] button.x').forEach((b) => b.click()))
        .catch(() => {});
      await fn(t);
    } catch (e) {
      broken = true;
      await shot(`FAILED-${name.split(" ").slice(0, 4).join("-")}`).catch(() => {});
      throw e;
    }
  });
}

const $ = (testid) => browser.$(`[data-testid="${testid}"]`);

async function textOf(testid) {
  return (await (await $(testid)).getText()).trim();
}

/** Open a screen from the top bar and wait for it. */
async function open(screen, testid) {
  await (await $(`nav-${screen}`)).click();
  await (await $(testid)).waitForDisplayed({ timeout: 15_000, timeoutMsg: `${testid} did not open` });
}

/** Wait until `fn` (run in the page) returns something truthy; returns it. */
async function waitIn(fn, arg, timeoutMsg, timeout = 20_000) {
  let out;
  await browser.waitUntil(async () => (out = await browser.execute(fn, arg)), { timeout, timeoutMsg });
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The visible X windows as `id name` lines (for the native dialogs the window opens). */
function windows() {
  try {
    const ids = execFileSync("xdotool", ["search", "--onlyvisible", "--name", ".*"], { encoding: "utf8" }).trim().split("\n");
    return ids.filter(Boolean).map((id) => {
      let name = "";
      try {
        name = execFileSync("xdotool", ["getwindowname", id], { encoding: "utf8" }).trim();
      } catch {
        // gone meanwhile
      }
      return { id, name };
    });
  } catch {
    return [];
  }
}

/** Answer GTK's native "Save" dialog (as a person would): type the full path, press Enter. */
async function answerSaveDialog(path) {
  const find = () => windows().find((w) => /save|simpan/i.test(w.name));
  let win;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !win) {
    win = find();
    if (!win) await sleep(250);
  }
  assert.ok(win, `a save dialog opened (windows: ${JSON.stringify(windows())})`);
  for (let attempt = 0; attempt < 4 && find(); attempt++) {
    await sleep(500); // let GTK map and focus the name field
    execFileSync("xdotool", ["windowfocus", "--sync", win.id]);
    execFileSync("xdotool", ["key", "--clearmodifiers", "ctrl+a"]);
    execFileSync("xdotool", ["type", "--delay", "10", path]);
    execFileSync("xdotool", ["key", "Return"]);
    for (let i = 0; i < 10 && find(); i++) await sleep(200);
  }
  assert.ok(!find(), "the save dialog closed");
}

/** Add a provider's key on the keys screen and wait until it is accepted. */
async function saveKey(provider, key) {
  await open("keys", "keys-screen");
  await (await $(`key-add-${provider}`)).click();
  await (await $(`key-input-${provider}`)).setValue(key);
  await (await $(`key-save-${provider}`)).click();
  await browser.waitUntil(async () => (await textOf(`key-state-${provider}`)).includes("Key saved"), {
    timeout: 20_000,
    timeoutMsg: `the ${provider} key was not accepted`,
  });
}

/** Settings › Team › Leave team, confirmed: back to this computer's own order book. */
async function leaveTeam() {
  await open("settings", "settings");
  await (await $("team-settings")).scrollIntoView();
  await (await $("team-leave")).click();
  await (await $("team-leave-yes")).click();
  await (await $("team-paste")).waitForDisplayed({ timeout: 30_000 });
  assert.ok(!(await (await $("team-chip")).isExisting()), "no team chip once left");
}

/** The window's first size and place (restored after a step resizes it). */
let firstRect;

/** Let the last change paint before a screenshot. */
const settle = (ms = 400) => browser.pause(ms);

/** How a catalog row names its source (Catalog.svelte's short names). */
const SOURCE_LABELS = { otpzap_s1: "OTPZap S1", otpzap_s2: "OTPZap S2", numberotp: "NumberOTP" };

/**
 * The first catalog row of `service` from `source` ("otpzap_s1", "otpzap_s2", "numberotp"): opens
 * the Numbers screen, searches the service, picks the source's tab and waits until the list shows
 * such a row. Every step that buys or watches a catalog offer finds it here.
 */
async function offer(service, source = "otpzap_s1") {
  await open("main", "main");
  const search = await $("search-service");
  await search.waitForDisplayed({ timeout: 30_000 });
  await search.clearValue();
  await search.setValue(service);
  const tab = await $(`source-${source}`);
  await tab.waitForDisplayed({ timeout: 30_000, timeoutMsg: `no ${source} tab in the catalog` });
  await tab.click();
  const label = SOURCE_LABELS[source];
  await waitIn(
    ([l, s]) => {
      const row = document.querySelector('[data-testid="offer"]');
      return !!row && row.textContent.includes(l) && row.textContent.toLowerCase().includes(s.toLowerCase());
    },
    [label, service],
    `no ${label} offer of ${service}`,
    30_000,
  );
  await settle();
  return $("offer");
}

/** Switch the language in Settings and wait for the top bar to follow; then open `screen` if given. */
async function language(lang, screen = null) {
  await open("settings", "settings");
  await (await $("set-language")).selectByAttribute("value", lang);
  const first = lang === "id" ? "Nomor" : "Numbers";
  await browser.waitUntil(async () => (await textOf("nav-main")).startsWith(first), {
    timeout: 10_000,
    timeoutMsg: `the language did not switch to ${lang}`,
  });
  if (screen) await open(screen, screen);
}

/** Later features add their steps as `steps/NN-name.mjs` (run in file-name order after the steps
 *  here), each `export default function register(ctx)` calling `ctx.step(...)`: one file per
 *  feature keeps this file readable and parallel work out of each other's way. */
const STEPS_DIR = new URL("./steps/", import.meta.url);
const stepModules = existsSync(STEPS_DIR)
  ? await Promise.all(
      readdirSync(STEPS_DIR)
        .filter((f) => /^\d+-.*\.mjs$/.test(f))
        .sort()
        .map((f) => import(new URL(f, STEPS_DIR))),
    )
  : [];
/** What a step module gets: the helpers above and the browser (a getter: it is opened in `before`). */
const ctx = {
  step, $, textOf, open, waitIn, shot, settle, sleep, sim, env, assert, windows, saveKey, leaveTeam, connect, disconnect, offer, language,
  get browser() {
    return browser;
  },
  /** Quit the app and start it again (a restart), with a fresh WebDriver session. */
  async restart() {
    await disconnect();
    browser = await connect();
  },
  SIM, ARTIFACTS, NOTIFY_LOG, KEY, NUMBEROTP_KEY, OOPPAY_KEY, SCREEN_W, SCREEN_H, APP_HOME,
};

describe("OTPDesk desktop app against the simulator", { timeout: 480_000 }, () => {
  before(async () => {
    await sim("POST", "accounts", { provider: "otpzap", key: KEY, balance: BALANCE });
    await sim("POST", "accounts", { provider: "ooppay", key: OOPPAY_KEY, balance: "0" });
    await sim("POST", "accounts", { provider: "numberotp", key: NUMBEROTP_KEY, balance: "20" });
    browser = await connect();
  });

  after(async () => {
    if (browser) {
      try {
        await shot("end");
      } catch {
        // The window may already be gone.
      }
      await browser.deleteSession().catch(() => {});
    }
  });

  step("first start shows the welcome screen with a key button per provider and the demo", async () => {
    const welcome = await $("welcome");
    await welcome.waitForDisplayed({ timeout: 30_000 });
    for (const p of ["otpzap", "numberotp", "ooppay"]) {
      assert.ok(await (await $(`key-add-${p}`)).isDisplayed(), `Add API key for ${p}`);
    }
    assert.ok(await (await $("try-demo")).isDisplayed());
    // The first window (1180×760 asked) fits the screen's work area, frame included.
    firstRect = await browser.getWindowRect();
    assert.ok(
      firstRect.x >= 0 && firstRect.y >= 0 && firstRect.x + firstRect.width <= SCREEN_W && firstRect.y + firstRect.height <= SCREEN_H,
      `the window ${JSON.stringify(firstRect)} fits the ${SCREEN_W}×${SCREEN_H} screen`,
    );
    assert.ok(firstRect.height <= SCREEN_H - 40, `room left for a title bar (${firstRect.height})`);
    await shot("welcome", { screen: true });
  });

  step("the demo shows a clear DEMO banner and can be left again", async () => {
    await (await $("try-demo")).click();
    const banner = await $("demo-banner");
    await banner.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no demo banner" });
    assert.match(await banner.getText(), /DEMO/);
    await (await $("offer")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the demo catalog did not load" });
    await browser.pause(1_500); // let the list settle and WebKit paint it before the screenshot
    await shot("demo");
    // Top-ups work in the demo too: the app plays the payer.
    await open("deposits", "deposits");
    await (await $("amount-qris")).setValue("50000");
    await (await $("create-qris")).click();
    const demoInvoice = await $("topup-qris").then((c) => c.$('[data-testid="invoice"]'));
    await demoInvoice.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no demo QRIS invoice" });
    await (await demoInvoice.$('[data-testid="demo-pay"]')).click();
    await (await demoInvoice.$('[data-testid="invoice-paid"]')).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the demo payment did not go through" });
    await shot("demo-topup-paid");
    await (await banner.$("button")).click();
    await (await $("welcome")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "leaving the demo did not go back" });
    assert.equal(await (await $("demo-banner")).isExisting(), false);
  });

  step("a wrong key is refused with a sentence, the right one is stored in the keyring", async () => {
    await (await $("key-add-otpzap")).click();
    const input = await $("key-input-otpzap");
    assert.equal(await input.getAttribute("type"), "password");
    await input.setValue("not-a-real-key");
    await (await $("key-save-otpzap")).click();
    const err = await $("key-error-otpzap");
    await err.waitForDisplayed({ timeout: 20_000 });
    const sentence = await err.getText();
    assert.match(sentence, /API key/i);
    assert.doesNotMatch(sentence, /401|unauthori[sz]ed|error\b/i, "no raw error text");
    await shot("key-refused");

    await input.clearValue();
    await input.setValue(KEY);
    await (await $("key-save-otpzap")).click();
    await browser.waitUntil(async () => (await textOf("key-state-otpzap")).includes("Key saved"), {
      timeout: 20_000,
      timeoutMsg: "the key was not accepted",
    });
    // The key is never shown back.
    const page = await browser.execute(() => document.body.innerText + document.body.innerHTML);
    assert.ok(!page.includes(KEY), "the key is not in the page");
    await browser.pause(1_000); // the welcome screen stays: the user may add another key
    assert.ok(await (await $("welcome")).isDisplayed());
    await shot("key-saved");
  });

  step("shows the OTPZap balance and 'not available' where a provider has none", async () => {
    await (await $("welcome-continue")).click();
    await (await $("main")).waitForDisplayed({ timeout: 20_000 });
    await browser.waitUntil(async () => (await textOf("balance-otpzap")).includes("150,000"), {
      timeout: 20_000,
      timeoutMsg: "the balance did not show",
    });
    assert.match(await textOf("balance-otpzap"), /IDR 150,000/);
    assert.match(await textOf("balance-ooppay"), /not available/);
    await shot("balance");
  });

  let orderCard;
  let remoteId;

  step("buys a number in one click after confirming the price", async () => {
    await (await $("offer")).waitForDisplayed({ timeout: 30_000 });
    assert.equal(await (await $("country")).getValue(), "Indonesia", "Indonesia is picked first");
    // An OTPZap Server 1 number (the product the docs describe): filter the list by source.
    await offer("WhatsApp", "otpzap_s1");
    const first = await $("offer");
    const offerText = await browser.execute(() => document.querySelector('[data-testid="offer"]')?.textContent ?? "");
    await (await first.$('[data-testid="buy"]')).click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    const price = await textOf("buy-price");
    assert.match(price, /^(IDR|USD) [\d,.]+$/, `price shown: ${price}`);
    assert.ok(offerText.includes(price), "the confirm shows the offer's price");
    await shot("confirm-price");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });
    orderCard = await $("order");
    await orderCard.waitForDisplayed({ timeout: 10_000 });
    const number = await (await orderCard.$('[data-testid="order-number"]')).getText();
    assert.match(number, /^\+?\d{8,15}$/, `phone number shown: ${number}`);
    assert.match(await (await orderCard.$('[data-testid="order-status"]')).getText(), /Waiting for code/);
    const left = await orderCard.$('[data-testid="order-time-left"]');
    await left.waitForDisplayed({ timeout: 20_000, timeoutMsg: "no time left shown" });
    assert.match(await left.getText(), /^\d+:\d\d left$/);
    remoteId = await orderCard.getAttribute("data-remote-id");
    assert.ok(remoteId, "the card carries the provider's order id");
    await shot("bought");
  });

  // OTPZap cancels only a number still waiting for its code: checked before the code lands.
  step("cancel is refused during the 2-minute cooldown, with the time left shown", async () => {
    const cancel = await orderCard.$('[data-testid="cancel"]');
    assert.equal(await cancel.isEnabled(), false, "cancel is disabled during the cooldown");
    const first = await cancel.getText();
    assert.match(first, /^Cancel in [0-2]:\d\d$/, `countdown on the button: ${first}`); // 2:00 right after buying
    await browser.pause(2_100);
    const later = await cancel.getText();
    assert.match(later, /^Cancel in [01]:\d\d$/);
    assert.notEqual(later, first, "the countdown ticks");
    await shot("cancel-cooldown");

    // The backend refuses too, with a stable code the UI turns into a sentence with the wait.
    // WebKitWebDriver reports the command's rejection as the script's error, so catch it here.
    let refusal;
    try {
      await browser.execute(
        (id) =>
          window.__TAURI_INTERNALS__.invoke("cancel_order", { orderId: id }).catch((e) => {
            throw new Error(JSON.stringify(e));
          }),
        await orderCard.getAttribute("data-order-id"),
      );
      refusal = { ok: true };
    } catch (e) {
      refusal = { ok: false, error: String(e?.message ?? e) };
    }
    assert.equal(refusal.ok, false, "the backend refuses the cancel");
    assert.match(refusal.error, /"code":"cancel_cooldown"/);
    assert.match(refusal.error, /"unlocks_at":"\d{4}-/);
  });

  step("the delivered code shows large in the window and in a desktop notification", async () => {
    await sim("POST", "deliver", { ref: remoteId, code: CODE });
    const code = await orderCard.$('[data-testid="otp-code"]');
    await code.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the code did not appear" });
    assert.equal((await code.getText()).trim(), CODE);
    const size = await code.getCSSProperty("font-size");
    assert.ok(parseFloat(String(size.value)) >= 28, `the code is large (${size.value})`);
    assert.match(await (await orderCard.$('[data-testid="order-status"]')).getText(), /Code received/);
    // With its code the number can be finished or sent again, no longer cancelled (OTPZap: 409).
    await (await orderCard.$('[data-testid="finish"]')).waitForDisplayed({ timeout: 5_000 });
    assert.equal(await (await orderCard.$('[data-testid="cancel"]')).isExisting(), false, "no cancel once a code arrived");
    // Copy buttons confirm on the button itself.
    const copyCode = await orderCard.$('[data-testid="copy-code"]');
    await copyCode.click();
    await browser.waitUntil(async () => (await copyCode.getText()).includes("Copied"), {
      timeout: 5_000,
      timeoutMsg: "copying the code did not confirm",
    });
    const copyNumber = await orderCard.$('[data-testid="copy-number"]');
    await copyNumber.click();
    await browser.waitUntil(async () => (await copyNumber.getText()).includes("Copied"), {
      timeout: 5_000,
      timeoutMsg: "copying the number did not confirm",
    });

    let log = "";
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      log = existsSync(NOTIFY_LOG) ? readFileSync(NOTIFY_LOG, "utf8") : "";
      if (log.includes(CODE)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(log.includes("member=Notify"), "a desktop notification was sent");
    assert.ok(log.includes(CODE), `the notification carries the code (log: ${log.slice(-600)})`);
    await shot("code-and-notification", { screen: true });
  });

  step("after a restart the key comes back from the keyring and the order is still there", async () => {
    await disconnect();
    browser = await connect();
    await (await $("main")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the app did not find its key again" });
    const card = await $("order");
    await card.waitForDisplayed({ timeout: 20_000 });
    assert.equal((await (await card.$('[data-testid="otp-code"]')).getText()).trim(), CODE);
    await (await $("nav-keys")).click();
    assert.match(await textOf("key-state-otpzap"), /Key saved/);
    assert.match(await textOf("key-state-numberotp"), /No key/);
    await shot("restart-keys");
  });

  step("settings: dark theme and Bahasa Indonesia apply at once", async () => {
    await (await $("nav-settings")).click();
    await (await $("set-theme")).selectByAttribute("value", "dark");
    await (await $("set-language")).selectByAttribute("value", "id");
    await browser.waitUntil(async () => (await textOf("nav-main")).startsWith("Nomor"), {
      timeout: 10_000,
      timeoutMsg: "the language did not switch",
    });
    assert.equal(await browser.execute(() => document.documentElement.dataset.theme), "dark");
    await shot("settings-dark-id");
    await (await $("nav-main")).click();
    const card = await $("order");
    await card.waitForDisplayed({ timeout: 10_000 });
    // The number has its code: it can be finished (in Indonesian), no longer cancelled.
    assert.equal((await (await card.$('[data-testid="finish"]')).getText()).trim(), "Selesai");
    assert.match(await textOf("balance-otpzap"), /Rp \d{1,3}(\.\d{3})+/);
    await shot("board-dark-id");
  });
  step("back to English and the light theme", async () => {
    await (await $("nav-settings")).click();
    await (await $("set-language")).selectByAttribute("value", "en");
    await (await $("set-theme")).selectByAttribute("value", "light");
    await browser.waitUntil(async () => (await textOf("nav-main")).startsWith("Numbers"), {
      timeout: 10_000,
      timeoutMsg: "the language did not switch back",
    });
  });

  step("compare: one service across providers, cheapest first; favourites", async () => {
    await open("main", "main");
    await (await $("offer")).waitForDisplayed({ timeout: 30_000 });
    await (await $("search-service")).setValue("WhatsApp");
    await settle();
    await (await (await $("offer")).$('[data-testid="compare"]')).click();
    const dialog = await $("compare-dialog");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    const rows = await browser.$$('[data-testid="compare-row"]');
    assert.ok(rows.length >= 2, `several offers compared (${rows.length})`);
    assert.match(await dialog.getText(), /Cheapest/);
    await shot("compare");
    await browser.keys("Escape");
    await dialog.waitForDisplayed({ reverse: true, timeout: 5_000 });
    await (await (await $("offer")).$('[data-testid="fav"]')).click();
    await (await $("source-fav")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "no favourites tab" });
    await (await $("source-fav")).click();
    await settle();
    const favText = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="offer"] .service')].map((e) => e.textContent).join("|"),
    );
    assert.match(favText, /WhatsApp/i);
    await shot("favourites");
    await (await $("search-service")).clearValue();
  });

  step("S2 multiservice: one number, a code for each service", async () => {
    await (await $("open-multi")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no multiservice button" });
    await (await $("open-multi")).click();
    const dialog = await $("multi-dialog");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    const boxes = await browser.$$('[data-testid="multi-service"] input');
    assert.ok(boxes.length >= 2, "at least two Server 2 services");
    await boxes[0].click();
    await boxes[1].click();
    assert.match(await textOf("multi-summary"), /2 services/);
    await shot("multiservice-pick");
    await (await $("multi-buy")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000, timeoutMsg: "the multiservice purchase did not finish" });
    const ref = await waitIn(
      () => document.querySelector('[data-testid="multi-codes"]')?.closest('[data-testid="order"]')?.getAttribute("data-remote-id"),
      undefined,
      "no multiservice order card",
    );
    await sim("POST", "deliver", { ref, code: "111222" });
    await sim("POST", "deliver", { ref, code: "333444" });
    const codes = await waitIn(
      () => {
        const vals = [...document.querySelectorAll('[data-testid="multi-codes"] [data-testid="service-code-value"]')].map((e) => e.textContent.trim());
        return vals.length >= 2 ? vals : null;
      },
      undefined,
      "a code per service did not show",
    );
    assert.deepEqual([...codes].sort(), ["111222", "333444"]);
    await settle();
    await shot("multiservice-codes");
  });

  step("a purchase whose reply is lost is listed; Buy now shows today's price and buys once", async () => {
    // Every reply lost (retries with the same Idempotency-Key too): the engine cannot know.
    await sim("POST", "faults", { kind: "drop_after_commit", provider: "otpzap", path_contains: "order/create", count: 50 });
    await (await $("source-all")).click();
    await (await $("search-service")).setValue("Telegram");
    await settle();
    await (await (await $("offer")).$('[data-testid="buy"]')).click();
    await (await $("buy-confirm-button")).click();
    const err = await $("buy-error");
    await err.waitForDisplayed({ timeout: 60_000, timeoutMsg: "no message about the unknown outcome" });
    assert.match(await err.getText(), /cannot tell if you were charged/);
    await sim("DELETE", "faults");
    await browser.keys("Escape");
    const card = await $("unknown-outcome");
    await card.waitForDisplayed({ timeout: 20_000, timeoutMsg: "the unknown purchase is not listed" });
    assert.match(await textOf("unknown-charged"), /may have been charged.*dashboard first.*will not buy it again on its own/);
    assert.ok(await (await $("unknown-dismiss")).isDisplayed());
    assert.ok(!(await (await $("unknown-check")).isExisting()), "a number purchase is not 'checked' (that would buy)");
    await shot("unknown-outcome");
    // Nothing is sent again on its own: the provider saw no new purchase while the card waited.
    const creates = async () =>
      (await sim("GET", "requests")).requests.filter((r) => r.method === "POST" && r.path.endsWith("/order/create")).length;
    const sent = await creates();

    /** "Buy now…" → the fresh price, asked inline in the card; returns the question. */
    const askPrice = async () => {
      await (await $("unknown-buy")).click();
      const q = await $("unknown-buy-question");
      await q.waitForDisplayed({ timeout: 20_000, timeoutMsg: "no fresh price in the card" });
      return (await q.getText()).trim();
    };
    const setLanguage = async (lang, nav) => {
      await (await $("nav-settings")).click();
      await (await $("set-language")).selectByAttribute("value", lang);
      await browser.waitUntil(async () => (await textOf("nav-main")).startsWith(nav), { timeout: 10_000, timeoutMsg: `not in ${lang}` });
      await open("main", "main");
      await card.waitForDisplayed({ timeout: 10_000 });
    };
    assert.match(await askPrice(), /^Buy now at IDR \d{1,3}(,\d{3})*\?$/);
    assert.match(await textOf("unknown-same-key"), /not charged twice/);
    await shot("unknown-quote-en");
    await (await $("unknown-buy-cancel")).click();
    await (await $("unknown-buy-question")).waitForDisplayed({ reverse: true, timeout: 5_000 });

    // The reseller's language: the price in rupiah as Indonesians write it.
    await setLanguage("id", "Nomor");
    assert.match(await textOf("unknown-charged"), /mungkin sudah terpotong.*dashboard OTPZap.*tidak akan membelinya lagi secara otomatis/);
    assert.match(await askPrice(), /^Beli sekarang seharga Rp \d{1,3}(\.\d{3})*\?$/);
    await settle();
    await shot("unknown-quote-id");
    // A smaller window (a 1366×768 laptop at 125 % is about 1090×610): the card still reads.
    await browser.setWindowSize(1000, 620).catch(() => {});
    await settle(600);
    // Every tab stays whole and clear of the balances (the top bar turns compact).
    const clear = await browser.execute(() => {
      const tab = document.querySelector('[data-testid="nav-settings"]').getBoundingClientRect();
      const chips = document.querySelector('[data-testid="balances"]').getBoundingClientRect();
      const navBox = document.querySelector("header nav").getBoundingClientRect();
      return { tabRight: tab.right, navRight: navBox.right, chipsLeft: chips.left, ok: tab.right <= navBox.right + 0.5 && tab.right <= chips.left };
    });
    assert.ok(clear.ok, `the Settings tab is whole and clear of the balances at 1000 px: ${JSON.stringify(clear)}`);
    await shot("unknown-quote-id-small");
    await browser.setWindowSize(firstRect.width, firstRect.height).catch(() => {});
    await (await $("unknown-buy-cancel")).click();
    await setLanguage("en", "Numbers");
    assert.equal(await creates(), sent, "asking the price bought nothing");

    // Buy now: the same Idempotency-Key, so the provider charges once; the card goes, the order comes.
    const before = await browser.execute(() => [...document.querySelectorAll('[data-testid="order"]')].map((c) => c.getAttribute("data-order-id")));
    assert.match(await askPrice(), /IDR \d/);
    await (await $("unknown-buy-confirm")).click();
    await card.waitForDisplayed({ reverse: true, timeout: 30_000, timeoutMsg: "Buy now did not settle the purchase" });
    await waitIn(
      (ids) => [...document.querySelectorAll('[data-testid="order"]')].some((c) => !ids.includes(c.getAttribute("data-order-id"))),
      before,
      "the bought order is not on the board",
    );
    assert.equal(await creates(), sent + 1, "one purchase sent");
    const twice = (await sim("GET", "idempotency")).filter((u) => u.creates > 1 && u.charges > 1);
    assert.deepEqual(twice, [], "no Idempotency-Key charged twice");
    await settle();
    await shot("unknown-bought");
    await (await $("search-service")).clearValue();
  });

  step("Server 1 replace: a new number at the same price, the old one marked replaced", async () => {
    await (await $("source-otpzap_s1")).click();
    await (await $("search-service")).setValue("Telegram");
    await settle();
    await (await (await $("offer")).$('[data-testid="buy"]')).click();
    await (await $("buy-confirm-button")).click();
    await (await $("buy-confirm")).waitForDisplayed({ reverse: true, timeout: 30_000 });
    const oldId = await waitIn(
      () => document.querySelector('[data-testid="replace"]')?.closest('[data-testid="order"]')?.getAttribute("data-order-id"),
      undefined,
      "no New number button on the Server 1 order",
    );
    const card = await browser.$(`[data-order-id="${oldId}"]`);
    const oldNumber = await (await card.$('[data-testid="order-number"]')).getText();
    await (await card.$('[data-testid="replace"]')).click();
    await browser.waitUntil(async () => /Replaced/.test(await (await card.$('[data-testid="order-status"]')).getText()), {
      timeout: 30_000,
      timeoutMsg: "the old order is not marked replaced",
    });
    const numbers = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="order"]')].map((c) => c.querySelector('[data-testid="order-number"]')?.textContent?.trim()),
    );
    assert.ok(numbers.some((n) => n && n !== oldNumber && /^\+\d{8,15}$/.test(n)), "a new number is on the board");
    await shot("replaced");
    await (await $("search-service")).clearValue();
    await (await $("source-all")).click();
  });

  step("email OTP: pick a site and a domain, buy, the code arrives, the 20 minutes count down", async () => {
    await open("email", "email");
    await (await $("email-site")).setValue("openai.com");
    await (await $("email-load")).click();
    await (await $("email-domain")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no email domains" });
    const table = await browser.execute(() => document.querySelector('[data-testid="email-domain"]')?.closest("table")?.innerText ?? "");
    assert.match(table, /gmail\.com/);
    assert.match(table, /%/, "activation rate shown");
    await shot("email-domains");
    await (await $("email-buy")).click();
    const ref = await waitIn(
      () => document.querySelector('[data-testid="email-board"] [data-testid="order"]')?.getAttribute("data-remote-ref"),
      undefined,
      "no email inbox card",
      30_000,
    );
    assert.match(ref, /^APIE-/);
    const inbox = await $("email-board").then((b) => b.$('[data-testid="order"]'));
    assert.match(await (await inbox.$('[data-testid="order-number"]')).getText(), /@/);
    const left = await inbox.$('[data-testid="order-time-left"]');
    await left.waitForDisplayed({ timeout: 20_000, timeoutMsg: "no countdown on the inbox" });
    assert.match(await left.getText(), /^(19|20):\d\d left$/);
    await sim("POST", "deliver", { ref, code: "775533" });
    const code = await inbox.$('[data-testid="otp-code"]');
    await code.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the email code did not appear" });
    assert.equal((await code.getText()).trim(), "775533");
    await shot("email-code");
    // Another message on the same inbox: the timeline keeps both, the latest marked.
    await (await inbox.$('[data-testid="reorder"]')).click();
    await waitIn(
      () => [...document.querySelectorAll('[data-testid="toast"]')].some((t) => /waiting for another message/.test(t.textContent)),
      undefined,
      "reorder did not confirm",
    );
    await sim("POST", "deliver", { ref, code: "991100" });
    await browser.waitUntil(async () => (await code.getText()).trim() === "991100", { timeout: 30_000, timeoutMsg: "the second code did not appear" });
    await (await inbox.$('[data-testid="timeline-toggle"]')).click();
    const items = await inbox.$$('[data-testid="timeline-item"]');
    assert.equal(items.length, 2, "both messages in the timeline");
    assert.match(await items[0].getText(), /991100[\s\S]*latest/);
    await shot("email-timeline");
    await (await inbox.$('[data-testid="finish"]')).click();
    await browser.waitUntil(async () => /Finished/.test(await (await inbox.$('[data-testid="order-status"]')).getText()), {
      timeout: 20_000,
      timeoutMsg: "finishing the inbox did not show",
    });
  });

  step("QRIS top-up: invoice with QR code and countdown, paid, balance refreshed", async () => {
    const before = await textOf("balance-otpzap");
    await open("deposits", "deposits");
    await (await $("amount-qris")).setValue("100000");
    await (await $("create-qris")).click();
    const invoice = await $("topup-qris").then((c) => c.$('[data-testid="invoice"]'));
    await invoice.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no QRIS invoice" });
    assert.match(await (await invoice.$('[data-testid="invoice-total"]')).getText(), /^IDR 100,\d{3}$/);
    const qr = await invoice.$('[data-testid="invoice-qr"]');
    assert.ok(await qr.isDisplayed(), "the QR code is drawn");
    assert.match(await qr.getAttribute("src"), /^data:image\/svg\+xml/, "QR rendered locally, not a remote image");
    assert.match(await (await invoice.$('[data-testid="invoice-time-left"]')).getText(), /^Expires in (29|30):\d\d$/);
    assert.ok(await (await invoice.$('[data-testid="invoice-open"]')).isDisplayed());
    await settle();
    await shot("topup-qris-invoice");
    await sim("POST", `deposits/${await invoice.getAttribute("data-remote-id")}/pay`);
    await (await invoice.$('[data-testid="invoice-paid"]')).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the QRIS top-up did not show as paid" });
    await browser.waitUntil(async () => (await textOf("balance-otpzap")) !== before, {
      timeout: 20_000,
      timeoutMsg: "the balance was not refreshed after paying",
    });
    await settle();
    await shot("topup-qris-paid");
  });

  step("USDT top-up through OOPPay: address, exact amount with the network buffer, paid", async () => {
    await saveKey("ooppay", OOPPAY_KEY);
    await open("deposits", "deposits");
    // A saved key reopens the session: wait until the screen has read the top-ups again (the
    // QRIS one above) so the click below lands on the new session, not the one closing.
    await (await $("deposit-row")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the top-ups were not read again" });
    await (await $("amount-usdt")).setValue("25");
    await (await $("create-usdt")).click();
    const invoice = await $("topup-usdt").then((c) => c.$('[data-testid="invoice"]'));
    await invoice.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no USDT invoice" });
    assert.match(await (await invoice.$('[data-testid="invoice-total"]')).getText(), /^USDT 26\.50?$/);
    assert.match(await (await invoice.$('[data-testid="invoice-address"]')).getText(), /^T[1-9A-HJ-NP-Za-km-z]{20,}$/);
    assert.match(await invoice.getText(), /network fee/);
    assert.match(await (await invoice.$('[data-testid="invoice-qr"]')).getAttribute("src"), /^data:image\/svg\+xml/);
    const copy = await invoice.$('[data-testid="copy-address"]');
    await copy.click();
    await browser.waitUntil(async () => (await copy.getText()).includes("Copied"), { timeout: 5_000, timeoutMsg: "copy address did not confirm" });
    await settle();
    await shot("topup-usdt-invoice");
    await sim("POST", `deposits/${await invoice.getAttribute("data-remote-id")}/pay`);
    await (await invoice.$('[data-testid="invoice-paid"]')).waitForDisplayed({ timeout: 30_000, timeoutMsg: "the USDT top-up did not show as paid" });
    await settle();
    await shot("topup-usdt-paid");
  });

  step("NumberOTP: add its key, buy in one click, the code arrives; compare puts USD beside IDR", async () => {
    await saveKey("numberotp", NUMBEROTP_KEY);
    await offer("WhatsApp", "numberotp");
    await (await (await $("offer")).$('[data-testid="buy"]')).click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    assert.match(await textOf("buy-price"), /^USD [\d.]+$/, "NumberOTP prices are in dollars");
    // Said before buying: NumberOTP has no cancel and no refund.
    assert.match(await textOf("buy-no-refund"), /cannot be cancelled or refunded/);
    await shot("numberotp-confirm-no-refund");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 30_000 });
    const card = await browser.$('[data-testid="order"][data-remote-id^="act_"]');
    await card.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no NumberOTP order on the board" });
    const ref = await card.getAttribute("data-remote-id");
    await sim("POST", "deliver", { ref, code: NUMBEROTP_CODE });
    const code = await card.$('[data-testid="otp-code"]');
    await code.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the NumberOTP code did not appear" });
    assert.equal((await code.getText()).trim(), NUMBEROTP_CODE);
    // NumberOTP has no cancel, finish or resend: its card offers none.
    assert.equal(await (await card.$('[data-testid="order-actions"]')).isExisting() && (await card.$$("[data-action]")).length > 0, false);
    await settle();
    await shot("numberotp-code");

    // The same service across providers: rupiah and dollars side by side, set on one scale.
    await (await $("source-all")).click();
    await settle();
    await (await (await $("offer")).$('[data-testid="compare"]')).click();
    const cmp = await $("compare-dialog");
    await cmp.waitForDisplayed({ timeout: 5_000 });
    const rate = await $("compare-rate");
    await rate.clearValue();
    await rate.setValue("16000");
    await browser.keys("Tab");
    await browser.waitUntil(async () => /USD/.test(await cmp.getText()) && /IDR/.test(await cmp.getText()), {
      timeout: 5_000,
      timeoutMsg: "compare does not show rupiah and dollar offers together",
    });
    await settle();
    await shot("compare-idr-usd");
    await browser.keys("Escape");
    await cmp.waitForDisplayed({ reverse: true, timeout: 5_000 });
    await (await $("search-service")).clearValue();
  });

  step("history: every order and top-up, filters, profit, CSV export", async () => {
    await open("history", "history");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="history-row"]')).length >= 5, {
      timeout: 20_000,
      timeoutMsg: "history does not list the orders and top-ups",
    });
    const types = await browser.execute(() => [...document.querySelectorAll('[data-testid="history-row"]')].map((r) => r.dataset.type));
    assert.ok(types.includes("order") && types.includes("deposit"), "orders and top-ups together");
    const sold = await $("history-sold");
    // The buy dialog filled a sale price from the price list: replace it in one edit (clearing
    // first would save "no sale price" before the new one is typed, and reload the row).
    await browser.execute((el) => {
      el.value = "9000";
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, sold);
    await browser.waitUntil(async () => (await textOf("history-profit")) !== "IDR 0", { timeout: 5_000, timeoutMsg: "profit did not update" });
    await (await $("history-type")).selectByAttribute("value", "deposit");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="history-row"]')).length === 2, {
      timeout: 5_000,
      timeoutMsg: "the type filter did not narrow to the two top-ups",
    });
    await (await $("history-type")).selectByAttribute("value", "all");
    await (await $("history-period")).selectByAttribute("value", "yesterday");
    await (await $("history-empty")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "yesterday should be empty" });
    await (await $("history-period")).selectByAttribute("value", "today");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="history-row"]')).length >= 5, {
      timeout: 5_000,
      timeoutMsg: "today lists everything again",
    });
    // Custom dates start from the range shown (today), so nothing disappears on switching.
    await (await $("history-period")).selectByAttribute("value", "custom");
    await (await $("history-from")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "custom shows no date fields" });
    const range = await browser.execute(() => [
      document.querySelector('[data-testid="history-from"]').value,
      document.querySelector('[data-testid="history-to"]').value,
    ]);
    assert.ok(range[0] && range[0] === range[1], `custom starts at today's range (${range})`);
    assert.ok((await browser.$$('[data-testid="history-row"]')).length >= 5, "custom keeps today's rows");
    await settle();
    await shot("history-custom-range");
    await (await $("history-period")).selectByAttribute("value", "today");
    await settle();
    await shot("history");
    await (await $("history-export")).click();
    // A fresh name: GTK would ask before replacing a file from an earlier run.
    const csvPath = join(ARTIFACTS, `history-export-${Date.now()}.csv`);
    await answerSaveDialog(csvPath);
    await waitIn(
      () => [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent).find((x) => /History saved to/.test(x)),
      undefined,
      "the export did not confirm",
    );
    await browser.waitUntil(async () => existsSync(csvPath), { timeout: 10_000, timeoutMsg: "no CSV file written" });
    const csv = readFileSync(csvPath, "utf8");
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(lines.length >= 6, `a line per order and top-up (${lines.length})`);
    assert.match(csv, /9000|9,000|9\.000/, "the sale price is in the export");
    await shot("history-exported");
    await (await $("history-tab-profit")).click();
    await (await $("profit-table")).waitForDisplayed({ timeout: 5_000 });
    await shot("history-profit");
    await (await $("history-tab-list")).click();
  });

  step("shortcuts overlay and every screen in both languages", async () => {
    await open("main", "main");
    await browser.execute(() => document.activeElement?.blur());
    await browser.keys("?");
    await (await $("help")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "? did not open the shortcuts" });
    await shot("shortcuts-en");
    await browser.keys("Escape");
    await (await $("help")).waitForDisplayed({ reverse: true, timeout: 5_000 });
    await shot("main-en");
    await open("settings", "settings");
    // Low-balance alert: a threshold above the balance shows the banner at once.
    const low = await $("set-low-otpzap");
    await low.setValue("500000");
    await browser.keys("Tab");
    const banner = await $("low-balance-otpzap");
    await banner.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no low-balance banner" });
    assert.match(await banner.getText(), /OTPZap balance is low: IDR [\d,]+ \(your alert is below IDR 500,000\)/);
    await shot("settings-en-low-balance");
    // The second pass is in Bahasa Indonesia and dark, so every screen is seen in both themes too.
    await (await $("set-language")).selectByAttribute("value", "id");
    await (await $("set-theme")).selectByAttribute("value", "dark");
    await browser.waitUntil(async () => (await textOf("nav-main")).startsWith("Nomor"), { timeout: 10_000 });
    for (const [screen, testid] of [
      ["main", "main"],
      ["email", "email"],
      ["deposits", "deposits"],
      ["history", "history"],
      ["keys", "keys-screen"],
      ["settings", "settings"],
    ]) {
      await open(screen, testid);
      await settle(600);
      await shot(`${screen}-id-dark`);
    }
    await open("main", "main");
    await browser.execute(() => document.activeElement?.blur());
    await browser.keys("?");
    await (await $("help")).waitForDisplayed({ timeout: 5_000 });
    await shot("shortcuts-id");
    await browser.keys("Escape");
  });

  step("settings: start at login registers OTPDesk with --hidden; the log folder opens", async () => {
    await open("settings", "settings");
    await (await $("set-language")).selectByAttribute("value", "en");
    await (await $("set-theme")).selectByAttribute("value", "light");
    await browser.waitUntil(async () => (await textOf("nav-main")).startsWith("Numbers"), { timeout: 10_000 });
    // Where the autostart desktop entry goes (auto-launch writes under HOME/.config).
    const entries = () =>
      [join(APP_HOME, ".config", "autostart"), join(process.env.XDG_CONFIG_HOME ?? join(APP_HOME, ".config"), "autostart")]
        .filter((d) => existsSync(d))
        .flatMap((d) => readdirSync(d).map((f) => join(d, f)));
    assert.deepEqual(entries(), [], "off until the user opts in");
    const toggle = await $("set-start-at-login");
    assert.equal(await toggle.isSelected(), false);
    await toggle.click();
    await browser.waitUntil(async () => entries().length === 1, { timeout: 10_000, timeoutMsg: "no autostart entry was written" });
    const entry = readFileSync(entries()[0], "utf8");
    assert.match(entries()[0], /OTPDesk\.desktop$/);
    const exec = entry.split("\n").find((l) => l.startsWith("Exec="));
    assert.equal(exec, `Exec=${env("APP_BINARY")} --hidden`, entry);
    assert.equal(await (await $("settings-error")).isExisting(), false, "saved without an error");
    assert.equal(await (await $("set-start-at-login")).isSelected(), true);
    // Advanced: the log folder button; opening it must not fail.
    await (await browser.$("details.advanced summary")).click();
    const openLogs = await $("open-log-folder");
    await openLogs.scrollIntoView();
    await openLogs.click();
    await settle(800);
    assert.equal(await (await $("settings-error")).isExisting(), false, "no error from opening the log folder");
    // The desktop's file manager (run.sh's stand-in) was asked to open the app's log folder.
    await browser.waitUntil(async () => existsSync(env("OPENED_FOLDERS")), { timeout: 10_000, timeoutMsg: "no folder opened" });
    const opened = readFileSync(env("OPENED_FOLDERS"), "utf8").trim().split("\n").pop();
    assert.match(opened, /com\.otpdesk\.desktop\/logs$/, `the log folder was opened (${opened})`);
    assert.ok(readdirSync(opened).length > 0, `the log folder holds the day's log (${opened})`);
    const rect = await browser.getWindowRect();
    assert.ok(rect.x + rect.width <= SCREEN_W && rect.y + rect.height <= SCREEN_H, `the window fits (${JSON.stringify(rect)})`);
    const view = async (testid) => {
      await (await $(testid)).scrollIntoView({ block: "center" });
      await settle();
    };
    await view("set-start-at-login");
    await shot("settings-autostart-logs", { screen: true });
    await view("open-log-folder");
    await shot("settings-log-folder");
    // In Bahasa Indonesia too.
    await (await $("set-language")).selectByAttribute("value", "id");
    await browser.waitUntil(async () => (await textOf("nav-main")).startsWith("Nomor"), { timeout: 10_000 });
    assert.equal(await textOf("open-log-folder"), "Buka folder log");
    await view("open-log-folder");
    await shot("settings-log-folder-id");
    await view("set-start-at-login");
    await shot("settings-autostart-logs-id");
    // Off again: the entry is removed.
    await (await $("set-start-at-login")).click();
    await browser.waitUntil(async () => entries().length === 0, { timeout: 10_000, timeoutMsg: "the autostart entry stayed" });
    await (await $("set-language")).selectByAttribute("value", "en");
  });

  for (const m of stepModules) m.default(ctx);
});
