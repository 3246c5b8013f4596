package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.Refusals;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the database refuses a batch for its data, stores the events one at a time and sends each
 * one it still refuses for its data to the dead-letter topic, so one bad event never blocks a
 * partition. Any other failure meanwhile (an outage, see {@link Refusals}) propagates and the
 * consumer pauses.
 */
final class PoisonHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PoisonHandler.class);

  private final AuditStore store;
  private final dev.stevedore.common.kafka.EventPublisher publisher;
  private final IngestMetrics metrics;

  PoisonHandler(AuditStore store, dev.stevedore.common.kafka.EventPublisher publisher, IngestMetrics metrics) {
    this.store = store;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  Future<Void> storeOneByOne(List<StoredEvent> events) {
    Future<Void> chain = Future.succeededFuture();
    for (StoredEvent event : events) {
      chain = chain.compose(v -> store.store(List.of(event))
          .onSuccess(r -> {
            metrics.stored.increment(r.stored());
            metrics.duplicates.increment(r.duplicates());
          })
          .<Void>mapEmpty()
          .recover(e -> {
            if (!Refusals.isRefusal(e)) {
              return Future.failedFuture(e); // an outage: the whole batch is retried after it
            }
            LOG.warn("the database refuses event {} of deployment {} ({}); dead-lettering it", event.event().id(),
                event.event() instanceof dev.stevedore.common.event.DeployEvent d ? d.deploymentId() : "-",
                e.getMessage());
            return publisher.deadLetter(event.event().id(), event.canonical(),
                    "storage rejected: " + e.getMessage(), Map.of(Topics.HEADER_REJECTED_BY, "stevedore-audit"))
                .onSuccess(m -> metrics.deadLettered.increment())
                .<Void>mapEmpty();
          }));
    }
    return chain;
  }
}
