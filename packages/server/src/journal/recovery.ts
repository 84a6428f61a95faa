import type { ExchangeService } from '../exchange/service.js';
import type { JournaledAccountRegistry } from './accounts.js';
import type { JournaledClock } from './clock.js';
import type { FileJournal, RecoveryInfo } from './file-journal.js';

/** What a journal rebuilds: the engine (through its service), the API keys, the clock offset. */
export interface DurableState {
  readonly exchange: ExchangeService;
  readonly accounts: JournaledAccountRegistry;
  readonly clock: JournaledClock;
}

/**
 * Replays `journal` into fresh state (engine commands through `exchange.replay`, so read models
 * subscribed to its events are rebuilt too), then starts journaling registry and clock changes.
 * Call before the sandbox accepts traffic.
 */
export function recoverInto(journal: FileJournal, state: DurableState): RecoveryInfo {
  const info = journal.recover((record) => {
    switch (record.kind) {
      case 'account.apiKey':
      case 'account.tradePermission':
        state.accounts.restore(record);
        break;
      case 'clock.advance':
        state.clock.restore(record);
        break;
      default:
        state.exchange.replay(record);
    }
  });
  state.accounts.attach((record) => journal.appendSync(record));
  state.clock.attach((record) => journal.appendSync(record));
  return info;
}
