// Look at the UI without building the desktop app: the Vite build served by `vite preview` (mock
// backend, since there is no Tauri) in WebKitGTK's MiniBrowser driven by WebKitWebDriver.
// Usage: node preview.mjs [url] [outdir]   (needs DISPLAY, WebKitWebDriver on :4446)
import { remote } from "webdriverio";
import { mkdirSync } from "node:fs";

const url = process.argv[2] ?? "http://localhost:4173/";
const out = process.argv[3] ?? "../artifacts/preview";
mkdirSync(out, { recursive: true });
const browser = await remote({
  hostname: "127.0.0.1",
  port: Number(process.env.WD_PORT ?? 4446),
  logLevel: "warn",
  capabilities: {
    browserName: "MiniBrowser",
    "wdio:enforceWebDriverClassic": true,
    "webkitgtk:browserOptions": {
      binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
      args: ["--automation"],
    },
  },
});
const shot = async (name) => {
  await browser.saveScreenshot(`${out}/${name}.png`);
  console.log("saved", name);
};
try {
  await browser.setWindowSize(1180, 760).catch(() => {});
  await browser.url(url);
  if (process.env.DARK) await browser.execute(() => localStorage.setItem("dark", "1"));
  await (await browser.$('[data-testid="welcome"]')).waitForDisplayed({ timeout: 10000 });
  await shot("01-welcome");
  if (process.env.DEMO) {
    await (await browser.$('[data-testid="try-demo"]')).click();
    await (await browser.$('[data-testid="demo-banner"]')).waitForDisplayed();
    await (await browser.$('[data-testid="offer"]')).waitForDisplayed();
    await (await browser.$('[data-testid="buy"]')).click();
    await (await browser.$('[data-testid="buy-confirm-button"]')).click();
    await (await browser.$('[data-testid="order"]')).waitForDisplayed();
    await browser.setWindowSize(900, 600).catch(() => {});
    await browser.pause(300);
    await shot("demo-small-window");
    await (await browser.$('[data-testid="otp-code"]')).waitForDisplayed({ timeout: 15000 });
    await shot("demo-code");
    process.exit(0);
  }
  await (await browser.$('[data-testid="key-add-otpzap"]')).click();
  await (await browser.$('[data-testid="key-input-otpzap"]')).setValue("bad-key");
  await (await browser.$('[data-testid="key-save-otpzap"]')).click();
  await (await browser.$('[data-testid="key-error-otpzap"]')).waitForDisplayed();
  await shot("02-key-refused");
  await (await browser.$('[data-testid="key-input-otpzap"]')).setValue("good-key");
  await (await browser.$('[data-testid="key-save-otpzap"]')).click();
  await (await browser.$('[data-testid="welcome-continue"]')).waitForDisplayed();
  await shot("03-key-saved");
  await (await browser.$('[data-testid="welcome-continue"]')).click();
  await (await browser.$('[data-testid="offer"]')).waitForDisplayed();
  await shot("04-main");
  await (await browser.$('[data-testid="buy"]')).click();
  await (await browser.$('[data-testid="buy-confirm"]')).waitForDisplayed();
  await shot("05-confirm");
  await (await browser.$('[data-testid="buy-confirm-button"]')).click();
  await (await browser.$('[data-testid="order"]')).waitForDisplayed();
  await (await browser.$$('[data-testid="buy"]'))[1].click();
  await (await browser.$('[data-testid="buy-confirm-button"]')).click();
  await browser.pause(500);
  await shot("06-ordered");
  await (await browser.$('[data-testid="otp-code"]')).waitForDisplayed({ timeout: 15000 });
  await shot("07-code");
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$("details summary")).click();
  await browser.pause(300);
  await shot("08-settings");
  await (await browser.$('[data-testid="set-theme"]')).selectByAttribute("value", "dark");
  await browser.pause(300);
  await (await browser.$('[data-testid="nav-main"]')).click();
  await browser.pause(500);
  await shot("09-dark");
  await (await browser.$('[data-testid="nav-keys"]')).click();
  await shot("10-keys-dark");
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$('[data-testid="set-language"]')).selectByAttribute("value", "id");
  await (await browser.$('[data-testid="set-theme"]')).selectByAttribute("value", "light");
  await browser.pause(300);
  await (await browser.$('[data-testid="nav-main"]')).click();
  await browser.pause(300);
  await shot("11-bahasa");
} finally {
  await browser.deleteSession();
}
