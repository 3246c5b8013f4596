package dev.stevedore.trigger.it;

import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the whole requests topic (every partition, from the start to the current end). */
public final class RequestsTopic {
  private static final EventCodec CODEC = new EventCodec();

  private RequestsTopic() {}

  public static List<ConsumerRecord<String, byte[]>> records(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.REQUESTS, Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(10)));
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 15_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("could not read the requests topic to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  public static List<DeployRequested> requests(String bootstrap) {
    List<DeployRequested> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records(bootstrap)) {
      try {
        if (CODEC.decode(r.value()) instanceof DeployRequested request) {
          out.add(request);
        }
      } catch (EventDecodingException e) {
        throw new AssertionError("undecodable record on " + Topics.REQUESTS + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The {@code version.unblocked} events on the topic. */
  public static List<VersionUnblocked> unblocks(String bootstrap) {
    List<VersionUnblocked> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records(bootstrap)) {
      try {
        if (CODEC.decode(r.value()) instanceof VersionUnblocked u) {
          if (!r.key().equals(u.partitionKey())) {
            throw new AssertionError("unblock " + u.deploymentId() + " keyed " + r.key());
          }
          out.add(u);
        }
      } catch (EventDecodingException e) {
        throw new AssertionError("undecodable record on " + Topics.REQUESTS + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The {@code deploy.cancelled} events on the topic (each checked to be keyed as the request it withdraws). */
  public static List<DeployCancelled> cancellations(String bootstrap) {
    List<DeployCancelled> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records(bootstrap)) {
      try {
        if (CODEC.decode(r.value()) instanceof DeployCancelled c) {
          if (!r.key().equals(c.partitionKey())) {
            throw new AssertionError("cancellation " + c.deploymentId() + " keyed " + r.key());
          }
          out.add(c);
        }
      } catch (EventDecodingException e) {
        throw new AssertionError("undecodable record on " + Topics.REQUESTS + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  public static List<DeployRequested> forService(String bootstrap, String service) {
    return requests(bootstrap).stream().filter(r -> r.service().equals(service)).collect(Collectors.toList());
  }
}
