// The pipeline's readiness, held in one place: the consumer loop and the database checks report
// what they see, and /ready and the pipeline_ready gauge both read `current()`, so they cannot
// disagree.
export interface ReadinessState {
  kafka: boolean;
  database: boolean;
}

export interface Readiness {
  /** What /ready answers and the gauge reports. */
  current(): ReadinessState;
  ready(): boolean;
  /** The consumer joined, fetched or heartbeated. */
  kafkaSeen(): void;
  /** The consumer crashed or disconnected. */
  kafkaLost(): void;
  database(up: boolean): void;
}

export interface ReadinessOptions {
  /**
   * Kafka counts as connected while the consumer is in the group and has fetched or heartbeated
   * within this long (a broker outage stops both long before kafkajs gives up and reports a crash).
   */
  kafkaSilenceMs: number;
  now?: () => number;
}

export function createReadiness({ kafkaSilenceMs, now = Date.now }: ReadinessOptions): Readiness {
  let kafka = false;
  let kafkaSeenAt = 0;
  let database = false;
  const current = (): ReadinessState => ({ kafka: kafka && now() - kafkaSeenAt < kafkaSilenceMs, database });
  return {
    current,
    ready() {
      const state = current();
      return state.kafka && state.database;
    },
    kafkaSeen() {
      kafka = true;
      kafkaSeenAt = now();
    },
    kafkaLost() {
      kafka = false;
    },
    database(up) {
      database = up;
    },
  };
}
