package dev.stevedore.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DecodedEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventType;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.SampleEvents;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.testing.KafkaTestSupport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.core.message.Encoding;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stevedore's topics as any CloudEvents user reads them: every event type, published by
 * {@link EventPublisher} to its own topic on a real broker, comes back intact through the official
 * CloudEvents Java SDK ({@code cloudevents-kafka}'s deserializer, which takes a record as
 * structured mode only by its {@code content-type} header), extension attributes included; and an
 * event the SDK writes in structured mode decodes with Stevedore's codec, its extension intact.
 */
class CloudEventsInteropIT {
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final dev.stevedore.common.event.TraceContext TRACE =
      new dev.stevedore.common.event.TraceContext(TRACEPARENT, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  private static final EventCodec CODEC = new EventCodec();
  static KafkaTestSupport kafka;
  static Vertx vertx;
  static EventPublisher publisher;

  @BeforeAll
  static void broker() throws Exception {
    kafka = KafkaTestSupport.shared();
    vertx = Vertx.vertx();
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "cloudevents-it", 10_000, 30_000, 100, Map.of());
    TopicAdmin.ensureTopics(vertx, settings, 3, (short) 1).await(60, TimeUnit.SECONDS);
    publisher = EventPublisher.create(vertx, settings, CODEC, EventPublisher.defaultBreaker("kafka"))
        .await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    if (publisher != null) {
      publisher.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theSdkReadsEveryEventTypeFromStevedoresTopicsIntact() throws Exception {
    String run = UUID.randomUUID().toString();
    KeyPair trigger = Ed25519Keys.generate();
    Map<String, StevedoreEvent> sent = new LinkedHashMap<>();
    Map<String, String> topicOf = new HashMap<>();
    for (StevedoreEvent sample : SampleEvents.all()) {
      StevedoreEvent event = sample instanceof DeployRequested r ? new RequestSigner(trigger, CODEC).sign(r) : sample;
      String topic = topicOf(event);
      // Every other event carries a trace context, passed on as an extension attribute.
      if (sent.size() % 2 == 0) {
        publisher.publish(topic, run, event, TRACE.extensions()).await(60, TimeUnit.SECONDS);
      } else {
        publisher.publish(topic, run, event).await(60, TimeUnit.SECONDS);
      }
      sent.put(event.id() + "/" + event.type(), event);
      topicOf.put(event.id() + "/" + event.type(), topic);
    }
    assertThat(sent.values()).extracting(StevedoreEvent::type).containsExactlyInAnyOrder(EventType.values());

    Map<String, ConsumerRecord<String, CloudEvent>> received = new ConcurrentHashMap<>();
    Map<String, Object> config = new HashMap<>(kafka.consumerConfig("cloudevents-sdk-" + run));
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class.getName());
    try (KafkaConsumer<String, CloudEvent> sdk = new KafkaConsumer<>(config)) {
      sdk.subscribe(List.copyOf(new java.util.HashSet<>(topicOf.values())));
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        for (ConsumerRecord<String, CloudEvent> r : sdk.poll(Duration.ofMillis(500))) {
          if (run.equals(r.key())) {
            CloudEvent ce = r.value();
            received.put(ce.getId() + "/" + EventType.byName(ce.getType()).orElseThrow(), r);
          }
        }
        return received.keySet().containsAll(sent.keySet());
      });
    }

    EventFormat json = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    int i = 0;
    for (Map.Entry<String, StevedoreEvent> e : sent.entrySet()) {
      StevedoreEvent event = e.getValue();
      ConsumerRecord<String, CloudEvent> record = received.get(e.getKey());
      String what = event.type().cloudEventsType();
      assertThat(record.topic()).as(what).isEqualTo(topicOf.get(e.getKey()));
      Header contentType = record.headers().lastHeader("content-type");
      assertThat(new String(contentType.value(), StandardCharsets.UTF_8)).as(what).isEqualTo("application/cloudevents+json");
      CloudEvent ce = record.value();
      assertThat(ce.getSpecVersion().toString()).as(what).isEqualTo("1.0");
      assertThat(ce.getType()).as(what).isEqualTo(what).startsWith("dev.stevedore.");
      assertThat(ce.getId()).as(what).isEqualTo(event.id());
      assertThat(ce.getSource()).as(what).isEqualTo(URI.create(event.source()));
      assertThat(ce.getTime().toInstant()).as(what).isEqualTo(event.time());
      assertThat(ce.getSubject()).as(what).isEqualTo(event.subject());
      assertThat(ce.getDataContentType()).as(what).isEqualTo("application/json");
      JsonNode data = CODEC.mapper().readTree(ce.getData().toBytes());
      JsonNode expectedData = CODEC.mapper().readTree(CODEC.encode(event)).get("data");
      assertThat(data).as(what).isEqualTo(expectedData);
      boolean traced = i++ % 2 == 0;
      assertThat(ce.getExtension("traceparent")).as(what).isEqualTo(traced ? TRACEPARENT : null);
      // The SDK's own distributed-tracing extension reads both attributes as the trigger wrote them.
      io.cloudevents.core.extensions.DistributedTracingExtension tracing = io.cloudevents.core.provider.ExtensionProvider
          .getInstance().parseExtension(io.cloudevents.core.extensions.DistributedTracingExtension.class, ce);
      if (traced) {
        assertThat(tracing).as(what).isNotNull();
        assertThat(tracing.getTraceparent()).as(what).isEqualTo(TRACEPARENT);
        assertThat(tracing.getTracestate()).as(what).isEqualTo(TRACE.tracestate());
      } else {
        assertThat(tracing == null || tracing.getTraceparent() == null).as(what).isTrue();
      }
      // Intact: what the SDK read, written back by the SDK, is the same event for Stevedore.
      DecodedEvent back = CODEC.decodeEvent(json.serialize(ce));
      assertThat(back.event()).as(what).isEqualTo(event);
      assertThat(back.extensions()).as(what).isEqualTo(traced ? TRACE.extensions() : Map.of());
      if (back.event() instanceof DeployRequested request) {
        assertThat(new RequestVerifier(List.of(trigger.getPublic()), CODEC).rejection(request)).isNull();
      }
    }
  }

  @Test
  void anEventTheSdkWritesInStructuredModeDecodesWithStevedoresCodec() throws Exception {
    String run = UUID.randomUUID().toString();
    JsonNode sample = CODEC.mapper().readTree(CODEC.encode(SampleEvents.requested()));
    CloudEvent ce = CloudEventBuilder.v1()
        .withId(sample.get("id").asText())
        .withSource(URI.create(sample.get("source").asText()))
        .withType("dev.stevedore.deploy.requested")
        .withTime(OffsetDateTime.parse(sample.get("time").asText()))
        .withSubject(sample.get("subject").asText())
        .withDataContentType("application/json")
        .withData(CODEC.mapper().writeValueAsBytes(sample.get("data")))
        .withExtension("traceparent", TRACEPARENT)
        .build();
    Map<String, Object> producerConfig = new HashMap<>(kafka.clientConfig());
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class.getName());
    producerConfig.put(CloudEventSerializer.ENCODING_CONFIG, Encoding.STRUCTURED);
    producerConfig.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
    try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(producerConfig)) {
      producer.send(new ProducerRecord<>(Topics.REQUESTS, run, ce)).get(60, TimeUnit.SECONDS);
    }
    Map<String, Object> config = new HashMap<>(kafka.consumerConfig("cloudevents-raw-" + run));
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> raw = new KafkaConsumer<>(config)) {
      raw.subscribe(List.of(Topics.REQUESTS));
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        raw.poll(Duration.ofMillis(500)).forEach(r -> {
          if (run.equals(r.key())) {
            values.add(r.value());
          }
        });
        return !values.isEmpty();
      });
    }
    DecodedEvent decoded = CODEC.decodeEvent(values.get(0));
    assertThat(decoded.event()).isEqualTo(SampleEvents.requested());
    assertThat(decoded.extensions()).containsEntry("traceparent", TRACEPARENT);
  }

  /** The topic each type travels on (docs/events.md). */
  private static String topicOf(StevedoreEvent event) {
    if (event instanceof AgentHeartbeat) {
      return Topics.HEARTBEATS;
    }
    if (event instanceof RolloutState) {
      return Topics.ROLLOUT_STATE;
    }
    if (event instanceof RolloutEvent) {
      return Topics.ROLLOUT_EVENTS;
    }
    if (event instanceof VersionBlocked) {
      return Topics.FLEET_BLOCKLIST;
    }
    if (event instanceof AgentEvent) {
      return Topics.EVENTS;
    }
    return Topics.REQUESTS;
  }
}
