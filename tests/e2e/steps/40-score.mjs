// Issue 11, quality scoreboard and history at volume: 100,000 synthetic orders are written into
// the app's own store (the engine's `otpdesk-seed`, feature `seed`: never part of the app), the app
// restarts, the compare view shows each offer's success rate and median time with a "best value"
// sort, and the History list scrolls to its very last row (en + id screenshots).

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ORDERS = Number(process.env.E2E_SEED_ORDERS ?? 100_000);

/** The seeding tool: OTPDESK_SEED_BIN (run.sh builds it beside the app), else built here (debug). */
function seedBin() {
  if (process.env.OTPDESK_SEED_BIN) return process.env.OTPDESK_SEED_BIN;
  const root = new URL("../../../", import.meta.url).pathname;
  const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
  const bin = join(target, "debug", "otpdesk-seed");
  execFileSync("cargo", ["build", "-p", "otpdesk-engine", "--features", "seed", "--bin", "otpdesk-seed"], {
    cwd: root,
    stdio: "inherit",
  });
  if (!existsSync(bin)) throw new Error(`no seeding tool at ${bin}`);
  return bin;
}

export default function register(ctx) {
  const { step, $, open, waitIn, shot, settle, assert } = ctx;
  let seeded = 0;

  step("score: 100,000 orders seeded into the app's store, then a restart", async () => {
    const dir = process.env.OTPDESK_DATA_DIR;
    assert.ok(dir, "OTPDESK_DATA_DIR is set");
    const out = execFileSync(seedBin(), [dir, String(ORDERS)], { encoding: "utf8", timeout: 600_000 });
    const m = out.match(/the store holds (\d+)/);
    assert.ok(m, out);
    seeded = Number(m[1]);
    assert.ok(seeded >= ORDERS, out);
    await ctx.restart();
    await (await $("nav-main")).waitForDisplayed({ timeout: 60_000 });
  });

  step("score: compare shows success rate and median time per offer, best value first", async () => {
    await open("main", "main");
    await (await $("offer")).waitForDisplayed({ timeout: 30_000 });
    await (await $("search-service")).setValue("WhatsApp");
    await settle();
    // Beside the price in the catalog too.
    await waitIn(
      () => [...document.querySelectorAll('[data-testid="offer-quality"]')].some((e) => /\d+%/.test(e.textContent ?? "")),
      null,
      "no success rate beside the catalog prices",
      30_000,
    );
    await shot("score-catalog");
    await (await (await $("offer")).$('[data-testid="compare"]')).click();
    const dialog = await $("compare-dialog");
    await dialog.waitForDisplayed({ timeout: 5_000 });
    const rates = await waitIn(
      () => {
        const cells = [...document.querySelectorAll('[data-testid="compare-success"]')].map((e) => e.textContent ?? "");
        return cells.some((c) => /\d+%/.test(c)) ? cells : null;
      },
      null,
      "no success rate in compare",
      30_000,
    );
    assert.ok(rates.filter((c) => /\d+%/.test(c)).length >= 2, `several offers have a record: ${rates}`);
    const medians = await ctx.browser.execute(() =>
      [...document.querySelectorAll('[data-testid="compare-median"]')].map((e) => e.textContent ?? ""),
    );
    assert.ok(medians.some((m) => /\d+ s/.test(m)), `a median time is shown: ${medians}`);
    await (await $("sort-value")).click();
    await settle();
    assert.match(await dialog.getText(), /Best value/);
    await shot("score-compare-en");
    await ctx.browser.keys("Escape");
    await dialog.waitForDisplayed({ reverse: true, timeout: 5_000 });
    await ctx.language("id");
    await open("main", "main");
    await (await (await $("offer")).$('[data-testid="compare"]')).click();
    await dialog.waitForDisplayed({ timeout: 5_000 });
    await waitIn(() => /\d+%/.test(document.querySelector('[data-testid="compare-success"]')?.parentElement?.textContent ?? ""), null, "no rates (id)");
    await (await $("sort-value")).click();
    await settle();
    assert.match(await dialog.getText(), /Sukses/);
    await shot("score-compare-id");
    await ctx.browser.keys("Escape");
    await dialog.waitForDisplayed({ reverse: true, timeout: 5_000 });
    await ctx.language("en");
    await open("main", "main");
    await (await $("search-service")).clearValue();
  });

  step("score: the History list scrolls to the last of 100,000 rows, rendering only what is in view", async () => {
    await open("history", "history");
    const scroller = await $("history-scroll");
    await (await $("history-row")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "no history rows" });
    // The count of every match comes with the totals, a moment after the first rows.
    let total = 0;
    await ctx.browser.waitUntil(
      async () => {
        total = Number((await ctx.textOf("history-totals")).match(/\d[\d,.]*/)?.[0]?.replace(/[,.]/g, "") ?? 0);
        return total >= seeded;
      },
      { timeout: 30_000, timeoutMsg: `the totals do not count every order (${total} < ${seeded})` },
    );
    // Orders and top-ups: the list's length.
    const length = Number(await scroller.getAttribute("data-rows"));
    assert.ok(length >= total, `the list holds every row (${length})`);
    const rendered = await ctx.browser.execute(() => document.querySelectorAll('[data-testid="history-row"], [data-testid="history-row-loading"]').length);
    assert.ok(rendered < 100, `only the rows in view are in the page (${rendered})`);
    // Halfway, then the very bottom, as a drag of the scrollbar does.
    for (const where of [0.5, 1]) {
      const started = Date.now();
      await ctx.browser.execute((el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), scroller, where);
      // Done when the rows around the new position are rendered and read (none loading).
      const last = await waitIn(
        ([f, n]) => {
          const rows = [...document.querySelectorAll('[data-testid="history-row"]')];
          const loading = document.querySelectorAll('[data-testid="history-row-loading"]').length;
          const at = rows.length ? Number(rows[rows.length - 1].getAttribute("data-index")) : -1;
          return !loading && (f === 1 ? at === n - 1 : at >= n * f * 0.9 && at < n) ? at : null;
        },
        [where, length],
        `rows at ${where * 100}% did not load`,
        30_000,
      );
      console.log(`history: rows at ${where * 100}% shown in ${Date.now() - started} ms (last index ${last})`);
      if (where === 1) assert.equal(last, length - 1, "the last row is shown at the bottom");
    }
    await settle();
    await shot("score-history-bottom-en");
    // The oldest row is the first seeded order (90 days ago).
    await ctx.language("id");
    await open("history", "history");
    const scroller2 = await $("history-scroll");
    await (await $("history-row")).waitForDisplayed({ timeout: 30_000 });
    await ctx.browser.execute((el) => (el.scrollTop = el.scrollHeight), scroller2);
    await waitIn(
      (n) => [...document.querySelectorAll('[data-testid="history-row"]')].some((r) => Number(r.getAttribute("data-index")) === n - 1),
      length,
      "the last row (id) did not show",
      30_000,
    );
    await settle();
    await shot("score-history-bottom-id");
    await ctx.language("en");
    await open("main", "main");
  });
}
