// The all-day footprint, end to end: a hidden window's webview is destroyed after the idle time
// (OTPDESK_WEBVIEW_IDLE_SECS=3), the app lives on, and a second launch brings the window back in
// the state the user left it (a History filter). Started by webview-idle.sh, which provides
// APP_BINARY, TAURI_DRIVER_PORT, ARTIFACTS, WM_CLOSE and the app's environment.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start this test with tests/e2e/webview-idle.sh`);
  return v;
};
const APP = env("APP_BINARY");
const ARTIFACTS = env("ARTIFACTS");
const IDLE_SECS = Number(env("OTPDESK_WEBVIEW_IDLE_SECS"));
mkdirSync(ARTIFACTS, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns something truthy (or throw after `ms`). */
async function until(what, fn, ms = 20_000, every = 200) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** Running copies of the app (a zombie has no exe link). */
function appPids() {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/exe`) === APP;
    } catch {
      return false;
    }
  });
}

/** The children of `pid` whose name starts with WebKit, with their PSS in KiB. */
function webkitChildren(pid) {
  const out = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      if (ppid !== String(pid) || !name.startsWith("WebKit")) continue;
      const pss = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"));
      out.push({ pid: p, name, pssKib: pss ? Number(pss[1]) : 0 });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** X windows titled OTPDesk that are mapped. */
function visibleWindows() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "^OTPDesk$"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/** @type {WebdriverIO.Browser} */
let browser;
let shotNo = 0;
/** Save the X screen (what the user sees) and the page as WebDriver captures it. WebKit's
 *  automation may not answer a capture of a rebuilt page drawn without GPU compositing: after
 *  15 s the X capture alone is kept. */
async function shot(name) {
  shotNo += 1;
  await browser.pause(300);
  const base = join(ARTIFACTS, `${String(shotNo).padStart(2, "0")}-${name}`);
  execFileSync("import", ["-window", "root", `${base}-screen.png`], { stdio: "ignore" });
  const timeout = sleep(15_000).then(() => "timed out");
  const captured = browser.saveScreenshot(`${base}.png`).then(() => "ok", (e) => String(e));
  const got = await Promise.race([captured, timeout]);
  if (got !== "ok") console.log(`WebDriver capture of ${name}: ${got} (the X screen capture is kept)`);
}

const $ = (testid) => browser.$(`[data-testid="${testid}"]`);

describe("webview closed while hidden, rebuilt in the same state", () => {
  before(async () => {
    browser = await remote({
      hostname: "127.0.0.1",
      port: Number(env("TAURI_DRIVER_PORT")),
      logLevel: "silent",
      connectionRetryCount: 2,
      capabilities: {
        browserName: "wry",
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application: APP },
      },
    });
    await browser.setTimeout({ implicit: 0 });
  });

  after(async () => {
    try {
      await browser?.deleteSession();
    } catch {
      // the session may already be gone with its window
    }
    for (const pid of appPids()) {
      try {
        process.kill(Number(pid), "SIGTERM");
      } catch {
        // exited meanwhile
      }
    }
  });

  let pid;
  const FILTER = { text: "Telegram", status: "done", provider: "otpzap", period: "7d" };

  it("sets a History filter (demo mode)", async () => {
    await (await $("nav-history")).waitForClickable({ timeout: 30_000 });
    await (await $("nav-history")).click();
    const search = await $("history-search");
    await search.waitForDisplayed({ timeout: 10_000 });
    await search.setValue(FILTER.text);
    await (await $("history-status")).selectByAttribute("value", FILTER.status);
    await (await $("history-provider")).selectByAttribute("value", FILTER.provider);
    await (await $("history-period")).selectByAttribute("value", FILTER.period);
    await browser.pause(1000); // the view is saved once typing pauses
    await shot("history-filter-set");
    const pids = appPids();
    assert.equal(pids.length, 1, `one app process (${pids})`);
    pid = pids[0];
    assert.ok(
      webkitChildren(pid).some((p) => p.name.startsWith("WebKitWebProces")),
      "a WebKit web process runs while the window is open",
    );
  });

  it("closing the window hides it; after the idle time the web process is gone, the app is not", async () => {
    const windows = visibleWindows();
    assert.ok(windows.length > 0, "the window is mapped");
    execFileSync("python3", [env("WM_CLOSE"), ...windows]);
    await until("the window to hide", () => visibleWindows().length === 0, 10_000);
    const hiddenAt = Date.now();
    await until(
      "the web process to end",
      () => !webkitChildren(pid).some((p) => p.name.startsWith("WebKitWebProces")),
      IDLE_SECS * 1000 + 30_000,
    );
    const after = (Date.now() - hiddenAt) / 1000;
    assert.ok(after >= IDLE_SECS - 0.5, `not before the idle time (${after.toFixed(1)} s)`);
    await sleep(2500); // the app gives memory back 2 s after closing the webview
    assert.ok(appPids().includes(pid), "the app is still running");
    const left = webkitChildren(pid);
    const appPss = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1];
    console.log(
      `web process gone ${after.toFixed(1)} s after hiding; app PSS ${Math.round(appPss / 1024)} MiB; ` +
        `WebKit processes left: ${left.map((p) => `${p.name} ${Math.round(p.pssKib / 1024)} MiB`).join(", ") || "none"}`,
    );
  });

  it("a second launch brings the window back with the History filter", async () => {
    const second = spawn(APP, [], { stdio: "ignore" });
    const code = await new Promise((resolve) => second.on("exit", resolve));
    assert.equal(code, 0, "the second launch hands over and exits");
    await until("the window to be shown again", () => visibleWindows().length > 0, 30_000);
    assert.deepEqual(appPids(), [pid], "still the one first process");
    // The rebuilt webview is a new browsing context of the same automation session.
    const handle = await until("the new webview in the WebDriver session", async () => {
      try {
        const handles = await browser.getWindowHandles();
        return handles[handles.length - 1];
      } catch {
        return null;
      }
    });
    await browser.switchToWindow(handle);
    const search = await $("history-search");
    await search.waitForDisplayed({ timeout: 30_000 });
    await until("the filter to be restored", async () => (await search.getValue()) === FILTER.text, 10_000);
    assert.equal(await (await $("history-status")).getValue(), FILTER.status);
    assert.equal(await (await $("history-provider")).getValue(), FILTER.provider);
    assert.equal(await (await $("history-period")).getValue(), FILTER.period);
    assert.ok(webkitChildren(pid).some((p) => p.name.startsWith("WebKitWebProces")), "a new web process");
    await shot("history-filter-restored");
  });
});
