// The mock backend's sample data (ipc.mock.ts): catalog countries and items, Server 2 specials,
// email sites and domains, and a QR-looking placeholder for invoices.

import type { BuyRequest, CatalogCountry, CatalogItem, EmailDomainOffer, EmailSiteChoice, ProviderId } from "./types";

export const COUNTRIES: CatalogCountry[] = [
  { name: "Indonesia", iso: "ID", otpzap_s1: "7", otpzap_s2: "6", numberotp: "6" },
  { name: "Malaysia", iso: "MY", otpzap_s1: "8", otpzap_s2: null, numberotp: "7" },
  { name: "United States", iso: "US", otpzap_s1: null, otpzap_s2: null, numberotp: "1" },
];

function item(source: CatalogItem["source"], service: string, country: string, price: number, stock: number | null, n: number): CatalogItem {
  const provider: ProviderId = source === "numberotp" ? "numberotp" : "otpzap";
  const target: BuyRequest =
    source === "otpzap_s1"
      ? { type: "otpzap_s1", product_id: 1000 + n, country_id: 7, platform_id: 1 }
      : source === "otpzap_s2"
        ? { type: "otpzap_s2", service_id: 200 + n, country_id: 6, operator_id: "any" }
        : { type: "numberotp", service: service.slice(0, 2).toLowerCase(), country: "6" };
  return {
    provider,
    source,
    service,
    service_code: service.slice(0, 2).toLowerCase(),
    label: null,
    country,
    price: { currency: provider === "numberotp" ? "USD" : "IDR", minor: price },
    stock,
    target,
  };
}

export const SAMPLE: CatalogItem[] = [
  item("otpzap_s1", "WhatsApp", "Indonesia", 2835, 1520, 1),
  item("otpzap_s1", "Telegram", "Indonesia", 3100, 640, 2),
  item("otpzap_s1", "Shopee", "Indonesia", 1900, 0, 3),
  item("otpzap_s1", "Gojek", "Indonesia", 2400, 88, 4),
  item("otpzap_s1", "WhatsApp", "Malaysia", 6500, 31, 5),
  item("otpzap_s2", "WhatsApp", "Indonesia", 3400, null, 6),
  item("otpzap_s2", "Facebook", "Indonesia", 2650, null, 7),
  item("numberotp", "WhatsApp", "Indonesia", 250_000, 120, 8),
  item("numberotp", "Google", "United States", 180_000, 45, 9),
];

export const SPECIALS: CatalogItem[] = [
  { ...item("otpzap_s2", "Telegram Premium", "Any country", 9500, null, 30), source: "otpzap_s2_special", target: { type: "otpzap_s2_special", service_id: 901 } },
  { ...item("otpzap_s2", "ChatGPT", "Any country", 7200, null, 31), source: "otpzap_s2_special", target: { type: "otpzap_s2_special", service_id: 902 } },
];

export const EMAIL_SITES: EmailSiteChoice[] = ["openai.com", "tiktok.com", "discord.com", "netflix.com", "shopee.co.id"].map((site) => ({
  site,
  name: null,
  category: null,
}));

const domainOffer = (domain: string, price: number, stock: number, rate: number, fee: number | null): EmailDomainOffer => ({
  domain,
  price: { currency: "IDR", minor: price },
  stock,
  activation_rate: rate,
  cancel_fee: fee === null ? null : { currency: "IDR", minor: fee },
  target: { type: "otpzap_email", site: "", domain },
});
export const EMAIL_DOMAINS: EmailDomainOffer[] = [
  domainOffer("gmail.com", 12000, 25, 92.5, 1000),
  domainOffer("outlook.com", 6500, 140, 81, 500),
  domainOffer("yahoo.com", 5200, 0, 64.2, null),
];

/** A QR-looking placeholder: the real backend renders the actual code. */
export function fakeQr(text: string): string {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const cells: string[] = [];
  for (let y = 0; y < 25; y++)
    for (let x = 0; x < 25; x++) {
      const finder = (x < 7 && y < 7) || (x > 17 && y < 7) || (x < 7 && y > 17);
      h = Math.imul(h ^ (x * 31 + y), 16777619);
      const on = finder ? x % 6 === 0 || y % 6 === 0 || (x % 6 > 1 && x % 6 < 5 && y % 6 > 1 && y % 6 < 5) || (x > 17 && ((x - 18) % 6 === 0 || ((x - 18) % 6 > 1 && (x - 18) % 6 < 5 && (y % 6 === 0 || (y % 6 > 1 && y % 6 < 5))))) : (h >>> 7) % 2 === 0;
      if (on) cells.push(`<rect x="${x + 2}" y="${y + 2}" width="1" height="1"/>`);
    }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><rect width="29" height="29" fill="#fff"/><g fill="#000">${cells.join("")}</g></svg>`;
}
