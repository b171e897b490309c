// Team mode (issue #12): whether this computer works in a team, who is in it, whether the team's
// server answers, and who sold the orders another member sold. The connection string never comes
// here (it stays in the OS keyring); an invite comes once, for the owner to hand over.

import { errorWatchers, ipc, okWatchers } from "../ipc";
import type { AppError, RequestView, SoldBy, TeamStatus } from "../types";

const ALONE: TeamStatus = { joined: false, server: null, me: null, members: [], online: true };
/** How often the team's server is asked again while in a team (members, online). */
const POLL_MS = 15_000;

export class TeamState {
  status = $state<TeamStatus>(structuredClone(ALONE));
  /** order id → the other member who sold it. */
  sellers = $state<Record<string, string>>({});
  /** This desktop's requests the owner's computer has not finished (newest first). */
  requests = $state<RequestView[]>([]);
  private timer: ReturnType<typeof setInterval> | undefined;
  private watching = false;

  get joined(): boolean {
    return this.status.joined;
  }
  get owner(): boolean {
    return this.status.me?.role === "owner";
  }
  get online(): boolean {
    return this.status.online;
  }

  /** A command failed: `team_offline` means the server is gone (until a command works again). */
  noteError(e: AppError): void {
    if (e.code === "team_offline" && this.status.joined) this.status.online = false;
    // A request nobody picked up in time stays waiting: list it (with Withdraw).
    if (e.code === "team_request_waiting") void this.loadRequests();
  }

  /** Listen to every command's outcome (once). */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    errorWatchers.add((e) => this.noteError(e));
    okWatchers.add(() => {
      // A command that worked while offline: ask again (members, online), at most every 3 s
      // (the status command itself succeeds while the server is away).
      if (this.status.joined && !this.status.online && Date.now() - this.askedAt > 3000) void this.load();
    });
  }

  apply(s: TeamStatus): void {
    this.status = s;
    clearInterval(this.timer);
    this.timer = undefined;
    if (s.joined) this.timer = setInterval(() => void this.load(), POLL_MS);
  }

  private askedAt = 0;

  async load(): Promise<void> {
    this.askedAt = Date.now();
    try {
      this.apply(await ipc().teamStatus());
    } catch (e) {
      this.noteError(e as AppError);
    }
    await this.loadRequests();
  }

  /** Read this desktop's open requests again (none outside a team). */
  async loadRequests(): Promise<void> {
    if (!this.status.joined) {
      this.requests = [];
      return;
    }
    try {
      this.requests = await ipc().teamRequests();
    } catch (e) {
      this.noteError(e as AppError);
    }
  }

  /** A request was written, picked up or ended somewhere in the team: keep this desktop's own. */
  applyRequest(r: RequestView): void {
    const mine = this.status.joined && r.requested_by === this.status.me?.login;
    // Reads (the team's catalog and prices) last a moment and cost nothing: never listed.
    if (!mine || r.kind === "read") return;
    const rest = this.requests.filter((x) => x.id !== r.id);
    const open = r.state === "pending" || r.state === "taken";
    this.requests = open ? [r, ...rest].sort((a, b) => b.created_at.localeCompare(a.created_at)) : rest;
  }

  /** Withdraw a request nobody picked up; `false` when it is already under way. */
  async withdraw(id: string): Promise<boolean> {
    const ok = await ipc().teamWithdraw(id);
    await this.loadRequests();
    return ok;
  }

  async join(invite: string): Promise<void> {
    this.apply(await ipc().teamJoin(invite));
    this.sellers = {};
    await this.loadRequests();
  }

  async leave(): Promise<void> {
    this.apply(await ipc().teamLeave());
    this.sellers = {};
    this.requests = [];
  }

  /** Owner: the new member's invite (shown once). */
  async invite(name: string): Promise<string> {
    const text = await ipc().teamInvite(name.trim());
    await this.load();
    return text;
  }

  async remove(login: string): Promise<void> {
    this.apply(await ipc().teamRemove(login));
  }

  private pending = new Set<string>();
  private flush: ReturnType<typeof setTimeout> | undefined;

  /** Learn who sold these orders (only in a team, only ids not asked yet; asked together). */
  learnSellers(ids: string[]): void {
    if (!this.status.joined) return;
    for (const id of ids) if (!(id in this.sellers)) this.pending.add(id);
    if (!this.pending.size || this.flush) return;
    this.flush = setTimeout(() => void this.askSellers(), 50);
  }

  private async askSellers(): Promise<void> {
    this.flush = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    let found: SoldBy[];
    try {
      found = await ipc().teamSoldBy(ids);
    } catch {
      return;
    }
    const next = { ...this.sellers };
    for (const id of ids) next[id] = "";
    for (const s of found) next[s.order_id] = s.name;
    this.sellers = next;
  }

  /** The other member who sold `id`, or null (this computer sold it, or no team). */
  soldBy(id: string): string | null {
    return this.sellers[id] || null;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

export const team = new TeamState();
