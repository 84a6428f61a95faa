export { JournaledAccountRegistry } from './accounts.js';
export { JournaledClock } from './clock.js';
export {
  FileJournal,
  JournalCorruptError,
  JOURNAL_FILE,
  type FileJournalOptions,
  type RecoveryInfo,
} from './file-journal.js';
export { encodeFrame, scanFile, MAGIC, MAX_RECORD_BYTES } from './frame.js';
export { GroupCommitter, JournalFailedError, type CommitSink, type GroupCommitStats } from './group-commit.js';
export type {
  JournalRecord,
  RegistryRecord,
  ApiKeyRecord,
  TradePermissionRecord,
  ClockAdvanceRecord,
} from './records.js';
export { recoverInto, type DurableState } from './recovery.js';
