// The session's reload after a mode or key change: every list the window shows is read again,
// the top-ups included (an invoice created just before must not vanish from the Top up screen).
import { beforeEach, describe, expect, it } from "vitest";
import { useIpc } from "./ipc";
import { MockIpc } from "./ipc.mock";
import { reloadAll } from "./session.svelte";
import { deposits } from "./stores/deposits.svelte";

let mock: MockIpc;
beforeEach(() => {
  mock = new MockIpc({ keys: { otpzap: true, ooppay: true } });
  useIpc(mock);
  deposits.clear();
});

describe("reloadAll", () => {
  it("reads the top-ups again, keeping one created just before the reload", async () => {
    const made = await mock.topupUsdt("25");
    deposits.add(made);
    await reloadAll();
    expect(deposits.list.map((d) => d.id)).toContain(made.deposit.id);
  });
});
