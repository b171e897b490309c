// Team mode (issue #12), an operator's very first start: no API key at all, so the window opens on
// the welcome screen, which offers "Selling in a team?" beside the key forms. A wrong paste is
// named; the owner's invite joins, and the window goes to work without a key of its own. Runs
// after 55-team-catalog (the owner's CLI on E2E_PG_URL); ends with the keys back and the team left.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function register(ctx) {
  const { step, $, textOf, open, waitIn, shot, settle, assert, saveKey } = ctx;
  const ownerDir = mkdtempSync(join(tmpdir(), "otpdesk-e2e-welcome-owner-"));
  const owner = (args) => {
    const out = execFileSync(process.env.OTPDESK_CLI_BIN, ["--json", ...args], {
      env: {
        ...process.env,
        OTPDESK_STORE: process.env.E2E_PG_URL,
        OTPDESK_DATA_DIR: ownerDir,
        OTPDESK_KEYRING_SERVICE: `otpdesk-e2e-welcome-owner-${process.pid}`,
        OTPDESK_OTPZAP_KEY: ctx.KEY,
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    return out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  };

  step("team welcome: with no key at all the welcome screen offers to join a team", async () => {
    assert.ok(process.env.E2E_PG_URL && process.env.OTPDESK_CLI_BIN, "run.sh started PostgreSQL and built the CLI");
    for (const p of ["otpzap", "numberotp", "ooppay"]) {
      // The last key gone, the window shows the welcome screen (no top bar any more).
      if (await (await $("welcome")).isExisting()) break;
      await open("keys", "keys-screen");
      if (!(await textOf(`key-state-${p}`)).includes("Key saved")) continue;
      await (await $(`key-clear-${p}`)).click();
      await (await $(`key-clear-confirm-${p}`)).click();
      await waitIn(
        (id) => !!document.querySelector('[data-testid="welcome"]') || !document.querySelector(`[data-testid="key-state-${id}"]`)?.textContent.includes("Key saved"),
        p,
        `the ${p} key was not removed`,
      );
    }
    await (await $("welcome")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no welcome screen without keys" });
    // "Key removed" toasts cover the panel's Join button: dismiss them, as a user would.
    await ctx.browser.execute(() => document.querySelectorAll('[data-testid="toast"] button.x').forEach((b) => b.click()));
    await waitIn(() => !document.querySelector('[data-testid="toast"]'), null, "the toasts did not go");
    const panel = await $("welcome-team");
    await panel.scrollIntoView();
    assert.match(await panel.getText(), /Selling in a team\?/);
    await (await $("welcome-team-paste")).setValue("my password is 1234");
    await (await $("welcome-team-join")).click();
    const error = await $("welcome-team-error");
    await error.waitForDisplayed({ timeout: 15_000 });
    assert.match(await error.getText(), /not an OTPDesk team invite/);
    await settle();
    await shot("team-welcome-en");
  });

  step("team welcome: the owner's invite joins, and the window works without a key of its own", async () => {
    const [inv] = owner(["team", "invite", "Citra"]);
    await (await $("welcome-team-paste")).setValue(inv.invite);
    await (await $("welcome-team-join")).click();
    await (await $("main")).waitForDisplayed({ timeout: 60_000, timeoutMsg: "the window did not go to work after joining" });
    await waitIn(() => /Team · (online|offline)/.test(document.querySelector('[data-testid="team-chip"]')?.textContent ?? ""), null, "no team chip");
    await open("settings", "settings");
    await (await $("team-settings")).scrollIntoView();
    await waitIn(() => document.querySelector('[data-testid="team-me"]')?.textContent.includes("Citra"), null, "you are Citra");
    assert.match(await textOf("team-me"), /Citra · Operator/);
    // The owner's settings are shown, not offered for editing.
    await (await $("owner-only-note")).scrollIntoView();
    assert.match(await textOf("owner-only-note"), /only the owner changes/);
    await settle();
    await shot("team-welcome-joined-en");
  });

  step("team welcome: keys back, team left", async () => {
    await saveKey("otpzap", ctx.KEY);
    await saveKey("numberotp", ctx.NUMBEROTP_KEY);
    await saveKey("ooppay", ctx.OOPPAY_KEY);
    await ctx.leaveTeam();
  });
}
