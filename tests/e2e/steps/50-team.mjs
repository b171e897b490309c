// Team mode (issue #12): the window joins a team by pasting an invite in Settings → Team, and an
// order another desktop (the owner: the `otpdesk` command line on the same PostgreSQL team store,
// with the simulator's key) buys appears on its board with "Sold by NAME", in English and
// Indonesian. The PostgreSQL server is started by run.sh (tests/e2e/pg.sh; E2E_PG_URL).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function register(ctx) {
  const { step, $, textOf, open, waitIn, shot, settle, sim, assert, sleep } = ctx;
  const ownerDir = mkdtempSync(join(tmpdir(), "otpdesk-e2e-owner-"));
  /** The owner's desktop: the CLI on the team store, with the OTPZap key, its own data dir. */
  const owner = (args, input) => {
    assert.ok(process.env.E2E_PG_URL, "run.sh started PostgreSQL (E2E_PG_URL)");
    assert.ok(process.env.OTPDESK_CLI_BIN, "run.sh built the CLI (OTPDESK_CLI_BIN)");
    const out = execFileSync(process.env.OTPDESK_CLI_BIN, ["--json", ...args], {
      env: {
        ...process.env,
        OTPDESK_STORE: process.env.E2E_PG_URL,
        OTPDESK_DATA_DIR: ownerDir,
        OTPDESK_KEYRING_SERVICE: `otpdesk-e2e-owner-${process.pid}`,
        OTPDESK_OTPZAP_KEY: ctx.KEY,
      },
      encoding: "utf8",
      input,
      timeout: 60_000,
    });
    return out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  };
  let invite = "";
  let orderId = "";

  step("team: the owner opens the team store and invites Ani (the invite holds her password)", async () => {
    const [st] = owner(["team", "status"]);
    assert.equal(st.me.role, "owner");
    assert.ok(!JSON.stringify(st).includes("password"));
    const [inv] = owner(["team", "invite", "Ani"]);
    invite = inv.invite;
    assert.match(invite, /^otpdesk-team:1:/);
  });

  step("team: Settings → Team explains team mode and names a wrong paste (en)", async () => {
    await open("settings", "settings");
    const section = await $("team-settings");
    await section.scrollIntoView();
    await (await $("team-paste")).setValue("hello, this is not an invite");
    await (await $("team-join")).click();
    const error = await $("team-error");
    await error.waitForDisplayed({ timeout: 15_000 });
    assert.match(await error.getText(), /not an OTPDesk team invite/);
    await (await $("team-paste")).clearValue();
    await settle();
    await shot("team-not-joined-en");
  });

  step("team: the window joins with the pasted invite (its own running orders end first)", async () => {
    // Orders bought from this computer's own book by earlier steps must end before it works on
    // the team's book (joining is refused while they run): the provider's clock moves past them.
    await sim("POST", "clock", { advance_secs: 3 * 3600 });
    const deadline = Date.now() + 150_000;
    let joined = false;
    let tries = 0;
    while (!joined && Date.now() < deadline) {
      if (tries++ > 0) {
        // Still running here: finish (a code came) or cancel the rest on the board, as a
        // reseller would, then try again.
        await open("main", "main");
        await browser().execute(() => {
          for (const card of document.querySelectorAll('[data-testid="order"]')) {
            const b = card.querySelector('[data-action="finish"]:not(:disabled)') ?? card.querySelector('[data-action="cancel"]:not(:disabled)');
            b?.click();
          }
        });
        await sleep(3000);
        await open("settings", "settings");
        await (await $("team-settings")).scrollIntoView();
      }
      await (await $("team-paste")).setValue(invite);
      await (await $("team-join")).click();
      joined = await browser()
        .$('[data-testid="team-me"]')
        .waitForDisplayed({ timeout: 20_000 })
        .then(() => true)
        .catch(() => false);
      if (!joined) {
        const err = (await (await $("team-error")).isExisting()) ? await textOf("team-error") : "";
        assert.match(err, /still (running|waiting)/, `joining failed: ${err}`);
      }
    }
    if (!joined) {
      await open("main", "main");
      const board = await browser().execute(() =>
        [...document.querySelectorAll('[data-testid="order"]')].map((c) => `${c.dataset.orderId}: ${c.innerText.replace(/\s+/g, " ").slice(0, 200)}`),
      );
      assert.fail(`the window did not join; still on the board:\n${board.join("\n")}`);
    }
    await waitIn(() => document.querySelector('[data-testid="team-me"]')?.textContent.includes("Ani"), null, "you are Ani");
    assert.match(await textOf("team-me"), /Ani · Operator/);
    assert.match(await textOf("team-chip"), /Team · online/);
    const members = await browser().$$('[data-testid="team-member"]');
    assert.equal(members.length, 2, "the owner and Ani");
    // The invite's password is nowhere on the page.
    const page = await browser().execute(() => document.body.innerText);
    assert.ok(!page.includes(invite), "the invite is not shown back");
    await (await $("team-settings")).scrollIntoView();
    await settle();
    await shot("team-joined-en");
  });

  step("team: the owner buys on the other desktop and the order arrives, 'Sold by' the owner", async () => {
    const [st] = owner(["team", "status"]);
    const ownerName = st.me.name;
    const [bought] = owner(["buy", "s1", "--product", "814090256", "--country", "7", "--platform", "1"]);
    orderId = bought.id;
    assert.ok(orderId, JSON.stringify(bought));
    await open("main", "main");
    const card = await browser().$(`[data-testid="order"][data-order-id="${orderId}"]`);
    await card.waitForDisplayed({ timeout: 40_000, timeoutMsg: "the owner's order did not arrive" });
    // Read in the page: the card may be out of view, where WebDriver reads no text.
    const soldBy = await waitIn(
      (id) => document.querySelector(`[data-order-id="${id}"] [data-testid="order-sold-by"]`)?.textContent,
      orderId,
      "no 'Sold by' on the owner's order",
    );
    assert.equal(soldBy.trim(), `Sold by ${ownerName}`);
    await card.scrollIntoView();
    await settle();
    await shot("team-order-arrived-en");
  });

  step("team: the same in Indonesian (Tim · online, Dijual oleh …, Settings → Tim)", async () => {
    await ctx.language("id", "main");
    await waitIn(
      (id) => document.querySelector(`[data-order-id="${id}"] [data-testid="order-sold-by"]`)?.textContent.startsWith("Dijual oleh"),
      orderId,
      "no 'Dijual oleh' on the owner's order",
    );
    assert.match(await textOf("team-chip"), /Tim · online/);
    await settle();
    await shot("team-order-arrived-id");
    await open("settings", "settings");
    await (await $("team-settings")).scrollIntoView();
    assert.match(await textOf("team-me"), /Ani · Operator/);
    await settle();
    await shot("team-joined-id");
    await ctx.language("en");
  });

  step("team: Leave goes back to this computer's own order book", async () => {
    await ctx.leaveTeam();
    await open("main", "main");
    await browser().waitUntil(async () => !(await browser().$(`[data-order-id="${orderId}"]`).isExisting()), {
      timeout: 20_000,
      timeoutMsg: "the team's order is still shown after leaving",
    });
  });

  function browser() {
    return ctx.browser;
  }
}
