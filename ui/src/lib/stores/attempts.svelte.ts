// Purchases whose outcome is unknown (the connection dropped while buying): listed until the user
// checks them with the provider or dismisses them.

import { ipc } from "../ipc";
import type { AttemptView, EngineEvent } from "../types";

export class AttemptsStore {
  list = $state<AttemptView[]>([]);

  async load(): Promise<void> {
    try {
      this.list = await ipc().unknownAttempts();
    } catch {
      // Older backend or not ready: nothing to show.
    }
  }

  remove(id: string): void {
    this.list = this.list.filter((a) => a.id !== id);
  }

  apply(e: EngineEvent): void {
    if (e.type === "outcome_unknown") {
      this.list = [...this.list.filter((a) => a.id !== e.attempt.id), e.attempt];
    } else if (e.type === "attempt_resolved") {
      this.remove(e.attempt.id);
    }
  }
}

export const attempts = new AttemptsStore();
