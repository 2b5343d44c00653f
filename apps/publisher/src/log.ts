import { KafkaLog } from '@ledger/messaging';
import { Logger, processLogger } from '@ledger/observability';

/** The publisher's lines on the process's pino logger; `kafka` is what kafkajs' logCreator writes to. */
export const publisherLog = (app: string, root: Logger = processLogger(app)) => {
  const kafkajs = root.child({ context: 'kafkajs' });
  return {
    info: (m: string) => root.info(m),
    warn: (m: string) => root.warn(m),
    error: (m: string) => root.error(m),
    kafka: ((level, m) => kafkajs[level](m)) as KafkaLog,
    /** Whether kafkajs should bother producing its INFO lines (logged at debug). */
    debug: root.isLevelEnabled('debug'),
  };
};

export type PublisherLog = ReturnType<typeof publisherLog>;
