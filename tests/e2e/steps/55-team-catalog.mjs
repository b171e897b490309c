// Team mode (issue #12): an operator's window WITHOUT provider keys sees the team's catalog and
// prices through the owner's computer (here `otpdesk track` on the team store, holding the keys),
// buys at the confirmed price, and shows the owner's balances as "–", in English and Indonesian.
// Runs after 50-team, or alone (the owner's CLI creates the team on E2E_PG_URL); leaves the team
// with the keys put back.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function register(ctx) {
  const { step, $, textOf, open, waitIn, shot, settle, assert, sleep, saveKey, offer } = ctx;
  const ownerDir = mkdtempSync(join(tmpdir(), "otpdesk-e2e-holder-"));
  const ownerEnv = () => ({
    ...process.env,
    OTPDESK_STORE: process.env.E2E_PG_URL,
    OTPDESK_DATA_DIR: ownerDir,
    OTPDESK_KEYRING_SERVICE: `otpdesk-e2e-holder-${process.pid}`,
    OTPDESK_OTPZAP_KEY: ctx.KEY,
    OTPDESK_NUMBEROTP_KEY: ctx.NUMBEROTP_KEY,
  });
  const owner = (args) => {
    const out = execFileSync(process.env.OTPDESK_CLI_BIN, ["--json", ...args], { env: ownerEnv(), encoding: "utf8", timeout: 60_000 });
    return out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  };
  let holder = null;
  let orderId = "";

  step("team catalog: the owner's computer keeps running with the keys; Budi joins", async () => {
    assert.ok(process.env.E2E_PG_URL && process.env.OTPDESK_CLI_BIN, "run.sh started PostgreSQL and built the CLI");
    const [inv] = owner(["team", "invite", "Budi"]);
    // The key holder: `otpdesk track` keeps the owner's engine (and its tracking leases) running.
    holder = spawn(process.env.OTPDESK_CLI_BIN, ["--json", "track"], { env: ownerEnv(), stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    holder.stdout.on("data", (d) => (out += d));
    const deadline = Date.now() + 30_000;
    while (!/"provider":"otpzap"[^\n]*"tracking":true|"tracking":true[^\n]*"provider":"otpzap"/.test(out) && Date.now() < deadline) await sleep(200);
    assert.equal(holder.exitCode, null, "otpdesk track keeps running");
    assert.match(out, /"tracking":true/, `the owner's computer tracks OTPZap: ${out.slice(0, 500)}`);
    // Orders of this computer's own book still waiting for a code refuse the join (50-team ends
    // them already; alone, this step does the same: the provider's clock moves past them).
    await ctx.sim("POST", "clock", { advance_secs: 3 * 3600 });
    const until = Date.now() + 120_000;
    let joined = false;
    while (!joined && Date.now() < until) {
      await open("settings", "settings");
      await (await $("team-settings")).scrollIntoView();
      await (await $("team-paste")).setValue(inv.invite);
      await (await $("team-join")).click();
      joined = await ctx.browser
        .$('[data-testid="team-me"]')
        .waitForDisplayed({ timeout: 20_000 })
        .then(() => true)
        .catch(() => false);
      if (!joined) {
        await open("main", "main");
        await ctx.browser.execute(() => {
          for (const card of document.querySelectorAll('[data-testid="order"]')) {
            const b = card.querySelector('[data-action="finish"]:not(:disabled)') ?? card.querySelector('[data-action="cancel"]:not(:disabled)');
            b?.click();
          }
        });
        await sleep(3000);
      }
    }
    assert.ok(joined, "the window joined the team");
    await waitIn(() => document.querySelector('[data-testid="team-me"]')?.textContent.includes("Budi"), null, "you are Budi");
  });

  step("team catalog: without keys of its own the window lists the team's offers with prices", async () => {
    for (const p of ["otpzap", "numberotp"]) {
      await open("keys", "keys-screen");
      await (await $(`key-clear-${p}`)).click();
      await (await $(`key-clear-confirm-${p}`)).click();
      await ctx.browser.waitUntil(async () => !(await textOf(`key-state-${p}`)).includes("Key saved"), {
        timeout: 20_000,
        timeoutMsg: `the ${p} key was not removed`,
      });
    }
    const row = await offer("WhatsApp", "otpzap_s1");
    const text = await row.getText();
    assert.match(text, /IDR [\d,.]+/, `a price is shown: ${text}`);
    // The owner's balance is the owner's to see.
    await (await $("balances-refresh")).click();
    await waitIn(() => document.querySelector('[data-testid="balance-otpzap"] [data-testid="balance-owner-only"]'), null, "no '–' balance for OTPZap");
    await settle();
    await shot("team-operator-catalog-en");
  });

  step("team catalog: Budi buys at the confirmed price; the owner's computer carries it out", async () => {
    const row = await offer("WhatsApp", "otpzap_s1");
    const before = await ctx.browser.execute(() => [...document.querySelectorAll('[data-testid="order"]')].map((c) => c.dataset.orderId));
    await (await row.$('[data-testid="buy"]')).click();
    const dialog = await $("buy-confirm");
    await dialog.waitForDisplayed({ timeout: 10_000 });
    const price = await textOf("buy-price");
    assert.match(price, /^IDR [\d,.]+$/, `price shown: ${price}`);
    await shot("team-operator-confirm-en");
    await (await $("buy-confirm-button")).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 60_000 });
    orderId = await waitIn(
      (known) => [...document.querySelectorAll('[data-testid="order"]')].map((c) => c.dataset.orderId).find((id) => !known.includes(id)),
      before,
      "Budi's order is not on the board",
      40_000,
    );
    const orders = owner(["orders"]);
    assert.ok(JSON.stringify(orders).includes(orderId), "the owner's book has Budi's order");
    await settle();
    await shot("team-operator-bought-en");
  });

  step("team catalog: the same in Indonesian", async () => {
    await ctx.language("id", "main");
    await offer("WhatsApp", "otpzap_s1");
    await waitIn(() => document.querySelector('[data-testid="balance-otpzap"] [data-testid="balance-owner-only"]'), null, "no '–' balance");
    await settle();
    await shot("team-operator-catalog-id");
    await ctx.language("en");
  });

  step("team catalog: keys back, team left, the owner's computer stops", async () => {
    try {
      await saveKey("otpzap", ctx.KEY);
      await saveKey("numberotp", ctx.NUMBEROTP_KEY);
      await ctx.leaveTeam();
    } finally {
      // Ctrl-C: the owner's computer stops tracking and gives its leases up.
      holder?.kill("SIGINT");
    }
  });
}
