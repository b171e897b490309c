import { remote } from "webdriverio";
const browser = await remote({
  hostname: "127.0.0.1", port: 4446, logLevel: "warn",
  capabilities: { browserName: "MiniBrowser", "wdio:enforceWebDriverClassic": true,
    "webkitgtk:browserOptions": { binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] } },
});
const $ = (id) => browser.$(`[data-testid="${id}"]`);
try {
  await browser.setWindowSize(1180, 760).catch(() => {});
  await browser.url("http://localhost:4173/");
  await (await $("key-add-otpzap")).click();
  await (await $("key-input-otpzap")).setValue("good-key");
  await (await $("key-save-otpzap")).click();
  await (await $("welcome-continue")).waitForDisplayed();
  await (await $("welcome-continue")).click();
  await (await $("offer")).waitForDisplayed();
  await (await $("catalog-sort")).selectByAttribute("value", "value");
  await browser.pause(500);
  await browser.saveScreenshot("/tmp/cat-prev-en.png");
  await (await $("nav-settings")).click();
  await (await $("set-language")).selectByAttribute("value", "id");
  await browser.pause(300);
  await (await $("nav-main")).click();
  await browser.pause(800);
  await browser.saveScreenshot("/tmp/cat-prev-id.png");
  await browser.setWindowSize(1000, 640).catch(() => {});
  await browser.pause(800);
  await browser.saveScreenshot("/tmp/cat-prev-id-small.png");
} finally { await browser.deleteSession(); }
