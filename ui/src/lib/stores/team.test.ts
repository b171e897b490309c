// Team mode's store against the stand-in backend: join (a wrong paste refused), the owner's invite
// and remove, "Sold by" for other members' orders only, and offline derived from command errors.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useIpc } from "../ipc";
import { MockIpc } from "../ipc.mock";
import type { AppError, RequestView } from "../types";
import { AppState } from "./app.svelte";
import { TeamState } from "./team.svelte";

let mock: MockIpc;
let team: TeamState;
beforeEach(() => {
  mock = new MockIpc();
  useIpc(mock);
  team = new TeamState();
});
afterEach(() => team.stop());

const offline: AppError = { code: "team_offline", message: "x", provider: null, unlocks_at: null, attempt_id: null };

describe("TeamState", () => {
  it("refuses a wrong paste and joins with an invite as operator", async () => {
    await team.load();
    expect(team.joined).toBe(false);
    await expect(team.join("hello")).rejects.toMatchObject({ code: "bad_invite" });
    expect(team.joined).toBe(false);
    await team.join("  otpdesk-team:1:abc  ");
    expect(team.joined).toBe(true);
    expect(team.owner).toBe(false);
    expect(team.status.me?.role).toBe("operator");
    await expect(team.invite("Budi")).rejects.toMatchObject({ code: "team_role" });
    await team.leave();
    expect(team.joined).toBe(false);
  });

  it("the owner invites and removes members", async () => {
    await team.join("postgres://owner:pw@db.toko.example/toko");
    expect(team.owner).toBe(true);
    const text = await team.invite("  Ani ");
    expect(text.startsWith("otpdesk-team:1:")).toBe(true);
    expect(team.status.members.map((m) => m.name)).toEqual(["Owner", "Ani"]);
    const ani = team.status.members[1];
    await team.remove(ani.login);
    expect(team.status.members.map((m) => m.name)).toEqual(["Owner"]);
  });

  it("names the seller of other members' orders, asking once for many", async () => {
    await team.join("otpdesk-team:1:abc");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      mock.soldBy.set("o1", "Owner");
      const ask = vi.spyOn(mock, "teamSoldBy");
      team.learnSellers(["o1"]);
      team.learnSellers(["o2", "o1"]);
      await vi.advanceTimersByTimeAsync(100);
      expect(ask).toHaveBeenCalledTimes(1);
      expect(team.soldBy("o1")).toBe("Owner");
      expect(team.soldBy("o2")).toBeNull();
      team.learnSellers(["o1", "o2"]);
      await vi.advanceTimersByTimeAsync(100);
      expect(ask).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("goes offline on a team_offline error and online again on the next status", async () => {
    team.noteError(offline);
    expect(team.online).toBe(true); // not in a team: nothing to say
    await team.join("otpdesk-team:1:abc");
    team.noteError(offline);
    expect(team.online).toBe(false);
    await team.load();
    expect(team.online).toBe(true);
  });

  it("an operator without keys works on the main screen, not the welcome screen", async () => {
    await mock.teamJoin("otpdesk-team:1:abc");
    const a = new AppState();
    await a.load();
    expect(a.anyKey).toBe(false);
    expect(a.screen).toBe("main");
  });
  it("lists this desktop's waiting requests, follows their changes and withdraws a pending one", async () => {
    await team.join("otpdesk-team:1:abc");
    const me = team.status.me!.login;
    const req = (id: string, state: RequestView["state"], by = me): RequestView => ({
      id,
      kind: "buy",
      provider: "otpzap",
      body: { req: { type: "otpzap_s1", product_id: 1, country_id: 7, platform_id: 1 } },
      requested_by: by,
      state,
      taken_by: null,
      order_id: null,
      attempt_id: null,
      error_code: null,
      error: null,
      unlocks_at: null,
      created_at: `2026-12-07T02:0${id.length}:00Z`,
      updated_at: "2026-12-07T02:00:00Z",
    });
    // A purchase nobody picked up in time: the error makes the list read again.
    mock.requests = [req("r1", "pending")];
    team.noteError({ ...offline, code: "team_request_waiting" });
    await vi.waitFor(() => expect(team.requests.map((r) => r.id)).toEqual(["r1"]));
    // Another member's request is not this desktop's to show.
    team.applyRequest(req("x", "pending", "someone_else"));
    expect(team.requests.map((r) => r.id)).toEqual(["r1"]);
    // Nor is a read of the team's catalog or prices (free, gone in a moment).
    team.applyRequest({ ...req("read1", "pending"), kind: "read", body: { call: "s1_countries" } });
    expect(team.requests.map((r) => r.id)).toEqual(["r1"]);
    // Picked up (still shown, without Withdraw), then done (gone).
    team.applyRequest(req("r22", "pending"));
    team.applyRequest(req("r1", "taken"));
    expect(team.requests.map((r) => [r.id, r.state])).toEqual([["r22", "pending"], ["r1", "taken"]]);
    team.applyRequest(req("r1", "done"));
    expect(team.requests.map((r) => r.id)).toEqual(["r22"]);
    // Withdraw: a pending one goes; one already taken is "too late".
    mock.requests = [req("r22", "pending"), req("r333", "taken")];
    expect(await team.withdraw("r22")).toBe(true);
    expect(await team.withdraw("r333")).toBe(false);
    expect(team.requests.map((r) => r.id)).toEqual(["r333"]);
    await team.leave();
    expect(team.requests).toEqual([]);
  });
});
